#include "probes/host/production_names.h"

#include "probes/host/text.h"

namespace cloison {

production_names production_of(const inventory& inv) {
  production_names p;
  for (const auto& d : inv.directories) {
    if (d.role != directory_role::production)
      continue;
    const auto base = text::lower(d.base);
    std::string domain;
    for (std::size_t at = 0; (at = base.find("dc=", at)) != std::string::npos; at += 3) {
      const auto end = base.find(',', at);
      domain += (domain.empty() ? "" : ".") + base.substr(at + 3, end - at - 3);
    }
    if (!domain.empty()) {
      p.domains.push_back(domain);
      p.netbios.push_back(domain.substr(0, domain.find('.')));
    }
    if (auto a = uri_address(d.uri); !a.empty())
      p.addresses.push_back(a);
  }
  return p;
}

bool names_production(const production_names& p, const std::string& text_value) {
  const auto t = text::lower(text_value);
  for (const auto& d : p.domains) {
    if (t.find(d) != std::string::npos)
      return true;
  }
  for (const auto& n : p.netbios) {
    if (t.rfind(n + "\\", 0) == 0 || t.find("%" + n + "\\") != std::string::npos)
      return true;
  }
  for (const auto& a : p.addresses) {
    if (t.find(a) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace cloison
