#include "agent/evidence/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "agent/config/embedded_policies.h"
#include "core/atomic_file.h"

namespace cloison {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kSpecialFileCap = 4u << 20;  // manifest, signature, public key

using archive_ptr = std::unique_ptr<struct archive, int (*)(struct archive*)>;
using entry_ptr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

// What libarchive says went wrong (it may say nothing: a truncated gzip stream).
std::string archive_error(struct archive* a) {
  const char* why = archive_error_string(a);
  return why != nullptr ? why : "libarchive gave no reason";
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad())
    throw std::runtime_error("cannot read " + path);
  return s.str();
}

// `dir/name`, or `dir/<sha256 prefix>-name` when another file already took that path.
std::string unique_path(const std::vector<bundle_file>& files, const std::string& dir,
                        const std::string& name, const std::string& sha256) {
  const auto taken = [&](const std::string& p) {
    return std::any_of(files.begin(), files.end(),
                       [&](const bundle_file& f) { return f.path == p; });
  };
  const std::string plain = dir + "/" + name;
  return taken(plain) ? dir + "/" + sha256.substr(0, 12) + "-" + name : plain;
}

void check_path(const std::string& path) {
  static const std::set<std::string> reserved{kManifestFile, kSignatureFile, kPublicKeyFile};
  if (path.empty() || path.front() == '/' || path.find('\n') != std::string::npos ||
      reserved.contains(path)) {
    throw std::runtime_error("bundle: invalid file path '" + path + "'");
  }
  for (const auto& part : fs::path(path)) {
    if (part == "." || part == ".." || part.empty())
      throw std::runtime_error("bundle: invalid file path '" + path + "'");
  }
}

// Incremental SHA-256, for entries hashed while they are read.
class sha256_stream {
 public:
  sha256_stream() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256 initialisation failed");
  }
  void update(const void* data, std::size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), data, n) != 1)
      throw std::runtime_error("SHA-256 computation failed");
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) != 1)
      throw std::runtime_error("SHA-256 computation failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xf];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

struct scanned_entry {
  std::string path;
  bool regular = false;
  bool directory = false;  // carries no content: ignored by readers
};

// Opens an archive for reading (libarchive's archive_read_open_*): from a file or from memory.
using archive_opener = std::function<int(struct archive*)>;

archive_opener file_opener(const std::string& path) {
  return
      [&path](struct archive* a) { return archive_read_open_filename(a, path.c_str(), 64 * 1024); };
}

archive_opener memory_opener(std::string_view bytes) {
  return [bytes](struct archive* a) {
    return archive_read_open_memory(a, bytes.data(), bytes.size());
  };
}

// Calls `on_entry` for every entry of the tar or tar.gz archive that `open` opens, then `on_data`
// with each block of its content. Throws bundle_unreadable on a missing, non-archive or damaged
// archive.
void scan_archive(const archive_opener& open,
                  const std::function<void(const scanned_entry&)>& on_entry,
                  const std::function<void(const char*, std::size_t)>& on_data) {
  archive_ptr a(archive_read_new(), &archive_read_free);
  if (!a)
    throw std::runtime_error("libarchive: out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (open(a.get()) != ARCHIVE_OK)
    throw bundle_unreadable(archive_error(a.get()));
  std::array<char, 64 * 1024> buffer{};
  std::uint64_t total = 0;
  for (std::size_t entries = 1;; ++entries) {
    archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF)
      return;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      throw bundle_unreadable(archive_error(a.get()));
    if (entries > kMaxBundleEntries)
      throw bundle_unreadable("more than " + std::to_string(kMaxBundleEntries) + " entries");
    const std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (name.size() > kMaxBundlePathBytes)
      throw bundle_unreadable("an entry's path is over " + std::to_string(kMaxBundlePathBytes) +
                              " bytes");
    const auto declared =
        static_cast<std::uint64_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
    const auto too_large = [] {
      return bundle_unreadable("content over " + std::to_string(kMaxBundleBytes) + " bytes");
    };
    if (declared > kMaxBundleBytes - total)
      throw too_large();
    const auto type = archive_entry_filetype(entry);
    on_entry({name, type == AE_IFREG, type == AE_IFDIR});
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n < 0)
        throw bundle_unreadable(archive_error(a.get()));
      if (n == 0)
        break;
      total += static_cast<std::uint64_t>(n);
      if (total > kMaxBundleBytes)
        throw too_large();
      on_data(buffer.data(), static_cast<std::size_t>(n));
    }
  }
}

bool lowercase_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::vector<manifest_entry> parse_manifest(std::string_view text,
                                           std::vector<bundle_problem>& problems) {
  std::vector<manifest_entry> entries;
  std::size_t bad = 0;
  for (std::size_t at = 0, number = 1; at < text.size(); ++number) {
    const auto end = std::min(text.find('\n', at), text.size());
    const auto line = text.substr(at, end - at);
    at = end + 1;
    if (line.size() > 66 && line.substr(64, 2) == "  " && lowercase_hex(line.substr(0, 64))) {
      entries.push_back({std::string(line.substr(0, 64)), std::string(line.substr(66))});
    } else if (++bad <= kMaxManifestProblems) {
      problems.push_back({bundle_problem::kind::manifest_line, std::to_string(number), "", ""});
    } else {
      problems.push_back(
          {bundle_problem::kind::manifest_line, "more bad lines, not listed", "", ""});
      break;
    }
  }
  return entries;
}

std::vector<bundle_file> audit_bundle_files(const fs::path& out_dir,
                                            const std::vector<evidence>& evidence,
                                            const std::vector<policy_ref>& policies,
                                            const std::string& inventory_file,
                                            const std::string& waivers_file) {
  static const std::regex report_name(R"(report\.(?!tar$|tgz$)[A-Za-z0-9]+)");  // not a bundle
  std::vector<bundle_file> files;
  std::vector<fs::path> reports;
  for (const auto& e : fs::directory_iterator(out_dir)) {
    if (e.is_regular_file() && std::regex_match(e.path().filename().string(), report_name))
      reports.push_back(e.path());
  }
  std::sort(reports.begin(), reports.end());
  for (const auto& r : reports)
    files.push_back({r.filename().string(), read_whole_file(r.string())});
  std::set<std::string> seen;
  for (const auto& e : evidence) {
    if (seen.insert(e.sha256).second)
      files.push_back({"evidence/" + e.sha256 + ".txt", e.content, e.spooled});
  }
  for (const auto& p : policies) {
    std::string text;
    std::string name;
    if (p.file.starts_with("builtin:")) {
      const auto embedded = embedded_policies();
      const auto it = std::find_if(embedded.begin(), embedded.end(),
                                   [&](const embedded_file& f) { return f.name == p.file; });
      if (it == embedded.end())
        throw std::runtime_error("bundle: no built-in policy " + p.file);
      text = it->text;
      name = p.file.substr(std::string_view("builtin:").size());
    } else {
      text = read_whole_file(p.file);
      name = fs::path(p.file).filename().string();
    }
    if (sha256_hex(text) != p.sha256)
      throw std::runtime_error("bundle: policy " + p.file + " changed since the audit read it");
    files.push_back({unique_path(files, "policies", name, p.sha256), std::move(text)});
  }
  for (const auto& [dir, file] :
       {std::pair{"inventory", inventory_file}, {"waivers", waivers_file}}) {
    if (!file.empty())
      files.push_back(
          {std::string(dir) + "/" + fs::path(file).filename().string(), read_whole_file(file)});
  }
  return files;
}

std::string manifest_of(const std::vector<bundle_file>& files) {
  std::vector<const bundle_file*> sorted;
  for (const auto& f : files)
    sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const bundle_file* a, const bundle_file* b) { return a->path < b->path; });
  std::string out;
  for (const auto* f : sorted)
    out += (f->spooled ? sha256_hex(*f->spooled) : sha256_hex(f->content)) + "  " + f->path + "\n";
  return out;
}

void write_bundle(const std::string& path, std::vector<bundle_file> files, const agent_key& key) {
  std::set<std::string> paths;
  for (const auto& f : files) {
    check_path(f.path);
    if (!paths.insert(f.path).second)
      throw std::runtime_error("bundle: two files named '" + f.path + "'");
  }
  files.push_back({kPublicKeyFile, key.public_key_pem()});
  std::string manifest = manifest_of(files);
  files.push_back({kSignatureFile, key.sign(manifest)});
  files.insert(files.begin(), {kManifestFile, std::move(manifest)});
  write_archive(path, files);
}

void write_archive(const std::string& path, const std::vector<bundle_file>& files) {
  atomic_file out(path);
  archive_ptr a(archive_write_new(), &archive_write_free);
  entry_ptr entry(archive_entry_new(), &archive_entry_free);
  const auto failed = [&](const std::string& why) {
    throw std::runtime_error("cannot write " + path + ": " + why);
  };
  if (!a || !entry)
    failed("out of memory");
  const bool plain = ends_with(path, ".tar");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      (!plain && archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK) ||
      archive_write_open_fd(a.get(), out.fd()) != ARCHIVE_OK) {
    failed(archive_error(a.get()));
  }
  const std::time_t now = std::time(nullptr);
  for (const auto& f : files) {
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), f.path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(
        entry.get(), static_cast<la_int64_t>(f.spooled ? f.spooled->size() : f.content.size()));
    archive_entry_set_mtime(entry.get(), now, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
      failed(archive_error(a.get()));
    const auto write = [&](std::string_view piece) {
      if (archive_write_data(a.get(), piece.data(), piece.size()) !=
          static_cast<la_ssize_t>(piece.size()))
        failed(archive_error(a.get()));
    };
    if (f.spooled)
      f.spooled->read(write);
    else
      write(f.content);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    failed(archive_error(a.get()));
  out.commit();
}

namespace {

std::vector<bundle_file> read_files(const archive_opener& open) {
  std::vector<bundle_file> files;
  bool keep = false;
  scan_archive(
      open,
      [&](const scanned_entry& e) {
        keep = e.regular;
        if (keep)
          files.push_back({e.path, ""});
      },
      [&](const char* data, std::size_t n) {
        if (keep)
          files.back().content.append(data, n);
      });
  return files;
}

// verify_bundle of the archive that `open` opens, called `name` in messages.
bundle_verification verify_archive(const archive_opener& open, const std::string& name,
                                   const std::optional<std::string>& pinned_public_pem) {
  struct seen_entry {
    int count = 0;
    bool regular = true;
    std::string sha256;
  };
  std::map<std::string, seen_entry> seen;
  std::vector<std::string> order;
  std::map<std::string, std::string> special{
      {kManifestFile, ""}, {kSignatureFile, ""}, {kPublicKeyFile, ""}};
  std::optional<sha256_stream> hash;
  std::string* kept = nullptr;
  seen_entry* current = nullptr;
  const auto finish = [&] {
    if (current != nullptr)
      current->sha256 = hash->hex();
  };
  scan_archive(
      open,
      [&](const scanned_entry& e) {
        finish();
        current = nullptr;
        kept = nullptr;
        if (e.directory)
          return;
        auto [it, fresh] = seen.try_emplace(e.path);
        if (fresh)
          order.push_back(e.path);
        current = &it->second;
        ++current->count;
        current->regular = current->regular && e.regular;
        hash.emplace();
        const auto s = special.find(e.path);
        kept = s != special.end() ? &s->second : nullptr;
        if (kept != nullptr)
          kept->clear();
      },
      [&](const char* data, std::size_t n) {
        if (current == nullptr)
          return;
        hash->update(data, n);
        if (kept != nullptr && kept->size() + n > kSpecialFileCap)
          throw bundle_unreadable(name + ": " + kManifestFile + " or its companions too large");
        if (kept != nullptr)
          kept->append(data, n);
      });
  finish();

  bundle_verification v;
  for (const auto& p : order) {
    const auto& e = seen.at(p);
    if (e.count > 1)
      v.problems.push_back({bundle_problem::kind::duplicate, p, "", ""});
    if (!e.regular)
      v.problems.push_back({bundle_problem::kind::not_regular, p, "", ""});
  }
  const bool has_manifest = seen.contains(kManifestFile);
  const bool has_signature = seen.contains(kSignatureFile);
  if (!has_manifest)
    v.problems.push_back({bundle_problem::kind::missing, kManifestFile, "", ""});
  if (!has_signature)
    v.problems.push_back({bundle_problem::kind::missing, kSignatureFile, "", ""});

  v.key_pinned = pinned_public_pem.has_value();
  const std::string& key = v.key_pinned ? *pinned_public_pem : special.at(kPublicKeyFile);
  v.fingerprint = public_key_fingerprint(key);
  if (v.fingerprint.empty())
    v.signature = signature_check::bad_key;
  else if (has_manifest && has_signature)
    v.signature = verify_signature(key, special.at(kManifestFile), special.at(kSignatureFile));

  if (v.signature != signature_check::valid)
    return v;  // the manifest is read only once its signature holds: unsigned bytes are not parsed
  std::set<std::string> listed{kManifestFile, kSignatureFile};
  for (const auto& m : parse_manifest(special.at(kManifestFile), v.problems)) {
    listed.insert(m.path);
    const auto it = seen.find(m.path);
    if (it == seen.end())
      v.problems.push_back({bundle_problem::kind::missing, m.path, m.sha256, ""});
    else if (it->second.sha256 != m.sha256)
      v.problems.push_back({bundle_problem::kind::modified, m.path, m.sha256, it->second.sha256});
    else
      ++v.files_checked;
  }
  for (const auto& p : order) {
    if (!listed.contains(p))
      v.problems.push_back({bundle_problem::kind::unexpected, p, "", seen.at(p).sha256});
  }
  return v;
}

}  // namespace

std::vector<bundle_file> read_archive(const std::string& path) {
  return read_files(file_opener(path));
}

std::vector<bundle_file> read_archive_bytes(std::string_view bytes) {
  return read_files(memory_opener(bytes));
}

bundle_verification verify_bundle(const std::string& path,
                                  const std::optional<std::string>& pinned_public_pem) {
  return verify_archive(file_opener(path), path, pinned_public_pem);
}

bundle_verification verify_bundle_bytes(std::string_view bytes, const std::string& name,
                                        const std::optional<std::string>& pinned_public_pem) {
  return verify_archive(memory_opener(bytes), name, pinned_public_pem);
}

}  // namespace cloison
