// The fixed, read-only PowerShell commands cloison sends to a Windows backup server (OpenSSH for
// Windows), one per fact group. Each prints one JSON document (ConvertTo-Json -Compress) that the
// matching parser of windows_parsers.h reads. Policies choose facts; they never add to this list.
// Header-only, thread-safe (constant tables).
//
// Every script:
//  - reads only: Get-* cmdlets and property reads; nothing on the host is changed (the one
//    assignment is this session's console output encoding) and no module is installed;
//  - starts by setting [Console]::OutputEncoding to UTF-8 (ignoring a failure, e.g. no console),
//    so account names outside the OEM code page arrive as valid UTF-8 (Windows PowerShell may
//    then write a UTF-8 BOM, which the parsers skip);
//  - reads registry values with -ErrorAction SilentlyContinue, so an absent key or value prints
//    JSON null instead of failing;
//  - holds no double quote, no '%', no newline and no trailing backslash, so that
//    `powershell -NoProfile -NonInteractive -Command "<script>"` survives cmd.exe, the default
//    shell of OpenSSH for Windows (see windows_command_line()). It is not meant for a POSIX shell:
//    the SSH runner's shell_quote() must not be used for these hosts.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

struct windows_command {
  std::string_view id;      // "windows-computer-system", ...
  std::string_view script;  // PowerShell, ending in "| ConvertTo-Json -Depth 4 -Compress"
};

namespace windows_detail {

inline constexpr auto kWindowsCommands = std::to_array<windows_command>({
    // parse_windows_computer_system. Domain is the workgroup name when PartOfDomain is false.
    {"windows-computer-system",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "Get-CimInstance Win32_ComputerSystem | "
     "Select-Object Name,PartOfDomain,Domain,DomainRole,Workgroup"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_group_members. S-1-5-32-544 is BUILTIN\Administrators whatever the language.
    {"windows-administrators",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "Get-LocalGroupMember -SID S-1-5-32-544 | "
     "Select-Object Name,ObjectClass,PrincipalSource"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_services. Matched on Name or DisplayName: Commvault's service names
    // (GxCVD(Instance001), ...) and NetBackup's (bpinetd, ...) do not hold the product name.
    // Prints nothing when no service matches.
    {"windows-backup-services",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "Get-CimInstance Win32_Service | Where-Object { $_.Name -match "
     "'Veeam|Commvault|NetBackup|Bareos' -or $_.DisplayName -match "
     "'Veeam|Commvault|NetBackup|Bareos' } | "
     "Select-Object Name,DisplayName,StartName,State,StartMode"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_firewall_profiles. ActiveStore: the settings in force (local and Group
    // Policy merged), not the local PersistentStore the cmdlet reads by default.
    {"windows-firewall-profiles",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "Get-NetFirewallProfile -PolicyStore ActiveStore | "
     "Select-Object Name,Enabled,DefaultInboundAction"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_remote_access. The policy value (Group Policy, Terminal Services) overrides
    // the Terminal Server one when present.
    {"windows-remote-access",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "[pscustomobject]@{Services=@(Get-Service -Name TermService,WinRM,RemoteRegistry "
     "-ErrorAction SilentlyContinue | Select-Object Name,Status,StartType); "
     "fDenyTSConnections=(Get-ItemProperty -Path "
     "'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections "
     "-ErrorAction SilentlyContinue).fDenyTSConnections; "
     "PolicyDenyTSConnections=(Get-ItemProperty -Path "
     "'HKLM:\\Software\\Policies\\Microsoft\\Windows NT\\Terminal Services' -Name "
     "fDenyTSConnections -ErrorAction SilentlyContinue).fDenyTSConnections}"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_smb_server.
    {"windows-smb-server",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "Get-SmbServerConfiguration | "
     "Select-Object EnableSMB1Protocol,RequireSecuritySignature,EnableSecuritySignature"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_name_resolution. EnableMulticast is the "Turn off multicast name resolution"
    // policy value (absent: LLMNR on).
    {"windows-name-resolution",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "[pscustomobject]@{EnableMulticast=(Get-ItemProperty -Path "
     "'HKLM:\\Software\\Policies\\Microsoft\\Windows NT\\DNSClient' -Name EnableMulticast "
     "-ErrorAction SilentlyContinue).EnableMulticast; "
     "Adapters=@(Get-CimInstance Win32_NetworkAdapterConfiguration -Filter 'IPEnabled=true' | "
     "Select-Object Description,TcpipNetbiosOptions)}"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_lsa.
    {"windows-lsa",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "[pscustomobject]@{RunAsPPL=(Get-ItemProperty -Path "
     "'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa' -Name RunAsPPL "
     "-ErrorAction SilentlyContinue).RunAsPPL}"
     " | ConvertTo-Json -Depth 4 -Compress"},
    // parse_windows_wdigest.
    {"windows-wdigest",
     "try { [Console]::OutputEncoding=[Text.Encoding]::UTF8 } catch { }; "
     "[pscustomobject]@{UseLogonCredential=(Get-ItemProperty -Path "
     "'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest' -Name "
     "UseLogonCredential -ErrorAction SilentlyContinue).UseLogonCredential}"
     " | ConvertTo-Json -Depth 4 -Compress"},
});

}  // namespace windows_detail

inline std::span<const windows_command> windows_commands() {
  return windows_detail::kWindowsCommands;
}

// The command with that id; nullptr when there is none.
inline const windows_command* find_windows_command(std::string_view id) {
  for (const auto& c : windows_detail::kWindowsCommands) {
    if (c.id == id)
      return &c;
  }
  return nullptr;
}

// {"powershell", "-NoProfile", "-NonInteractive", "-Command", script}.
inline std::vector<std::string> windows_command_argv(const windows_command& command) {
  return {"powershell", "-NoProfile", "-NonInteractive", "-Command", std::string(command.script)};
}

// The same as one command line for OpenSSH for Windows, whose default shell (cmd.exe) receives
// the exec request as is: powershell -NoProfile -NonInteractive -Command "<script>".
inline std::string windows_command_line(const windows_command& command) {
  return "powershell -NoProfile -NonInteractive -Command \"" + std::string(command.script) + "\"";
}

}  // namespace cloison
