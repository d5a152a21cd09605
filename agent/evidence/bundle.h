// The evidence bundle (docs/evidence-bundle.md): one tar archive (gzip-compressed unless its name
// ends in .tar) holding the reports, every raw evidence item, the policies, the inventory and the
// waivers used, the agent's public key (agent.pub), MANIFEST.sha256 ("<sha256>  <path>" per file,
// sorted by path, the format of sha256sum) and MANIFEST.sig, the agent's Ed25519 signature of the
// manifest's bytes. Secrets never enter: the inventory holds only the paths of secret files, and
// the bundle takes no file from those paths. Archives are read and written with libarchive.
// Functions are thread-safe; they throw std::runtime_error on I/O failure unless stated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/evidence/agent_key.h"
#include "core/observation.h"

namespace cloison {

inline constexpr const char* kManifestFile = "MANIFEST.sha256";
inline constexpr const char* kSignatureFile = "MANIFEST.sig";
inline constexpr const char* kPublicKeyFile = "agent.pub";
// verify_bundle lists at most this many malformed manifest lines, then one "not listed" problem.
inline constexpr std::size_t kMaxManifestProblems = 20;
// An archive is read only within these bounds (bundle_unreadable beyond): entries, their total
// content (declared or read), and the length of one entry's path.
inline constexpr std::size_t kMaxBundleEntries = 100'000;
inline constexpr std::uint64_t kMaxBundleBytes = std::uint64_t{1} << 30;
inline constexpr std::size_t kMaxBundlePathBytes = 4096;

struct bundle_file {
  std::string path;  // inside the archive, relative, '/'-separated
  std::string content;
  // Content kept on disk (an evidence table of every port), written from there; `content` is
  // then empty. Archives read back always hold their content in `content`.
  std::shared_ptr<const spooled_text> spooled{};
  friend bool operator==(const bundle_file&, const bundle_file&) = default;
};

// What goes into the bundle of an audit written to `out_dir`: every report.<ext> file of
// `out_dir`, evidence/<sha256>.txt for each evidence item, policies/<name> for each policy (the
// built-in text for "builtin:" ones; a file must still have the SHA-256 the report recorded),
// and, when non-empty, the inventory file as inventory/<name> and the waivers file as
// waivers/<name>.
std::vector<bundle_file> audit_bundle_files(const std::filesystem::path& out_dir,
                                            const std::vector<evidence>& evidence,
                                            const std::vector<policy_ref>& policies,
                                            const std::string& inventory_file,
                                            const std::string& waivers_file);

// The manifest of `files`: one "<sha256>  <path>\n" line per file, sorted by path.
std::string manifest_of(const std::vector<bundle_file>& files);

// Writes `files` plus agent.pub, MANIFEST.sha256 and MANIFEST.sig signed by `key` to `path`
// atomically. Throws std::runtime_error on I/O failure, on a duplicate path, or on a path that is
// absolute, empty, holds "." or ".." components, or names one of the three added files.
void write_bundle(const std::string& path, std::vector<bundle_file> files, const agent_key& key);

// The archive writer and reader used by bundles. write_archive writes `files` in order, atomically
// (temporary file, fsync, rename). read_archive returns every regular file; throws
// bundle_unreadable on anything but a tar or tar.gz archive within the bounds above.
void write_archive(const std::string& path, const std::vector<bundle_file>& files);
std::vector<bundle_file> read_archive(const std::string& path);
// The same from an archive's bytes already in memory.
std::vector<bundle_file> read_archive_bytes(std::string_view bytes);

class bundle_unreadable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct bundle_problem {
  enum class kind {
    modified,       // in the manifest, with other content
    missing,        // in the manifest, not in the archive
    unexpected,     // in the archive, not in the manifest
    duplicate,      // more than one entry with this path
    not_regular,    // a link, a device, a folder...
    manifest_line,  // a line of the manifest that is not "<sha256>  <path>" (path: its number)
  } what;
  std::string path;
  std::string expected;  // SHA-256 from the manifest
  std::string actual;    // SHA-256 of the archive's entry
  friend bool operator==(const bundle_problem&, const bundle_problem&) = default;
};

struct bundle_verification {
  signature_check signature = signature_check::invalid;
  bool key_pinned = false;        // checked against a key given by the caller, not the bundle's
  std::string fingerprint;        // of the key the signature was checked with
  std::size_t files_checked = 0;  // manifest entries found with the expected hash
  std::vector<bundle_problem> problems;
  bool intact() const { return signature == signature_check::valid && problems.empty(); }
};

// Checks the bundle at `path` offline: the signature of MANIFEST.sha256 (with `pinned_public_pem`
// when given, else with the bundle's own agent.pub), then, only when it holds, every file
// against the manifest (a manifest, signature or key over 4 MiB makes the bundle unreadable).
// Throws bundle_unreadable when `path` cannot be read as a tar or tar.gz archive.
bundle_verification verify_bundle(const std::string& path,
                                  const std::optional<std::string>& pinned_public_pem);
// The same from the archive's bytes already in memory; `name` stands for the file in messages.
bundle_verification verify_bundle_bytes(std::string_view bytes, const std::string& name,
                                        const std::optional<std::string>& pinned_public_pem);

struct manifest_entry {
  std::string sha256;  // lowercase hex
  std::string path;
};

// The entries of MANIFEST.sha256's text, in order. A line that is not "<64 lowercase hex>  <path>"
// becomes a manifest_line problem naming its number, up to kMaxManifestProblems of them; the next
// one adds a last problem saying the rest are not listed, and reading stops. Pure.
std::vector<manifest_entry> parse_manifest(std::string_view text,
                                           std::vector<bundle_problem>& problems);

}  // namespace cloison
