#include "agent/evidence/agent_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace cloison {

namespace {

namespace fs = std::filesystem;

using pkey_ptr = std::shared_ptr<EVP_PKEY>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("agent key " + path + ": " + why);
}

std::string errno_text() {
  return std::strerror(errno);
}

bio_ptr memory_bio(std::string_view bytes) {
  return bio_ptr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), &BIO_free);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string public_pem_of(EVP_PKEY* key) {
  bio_ptr out(BIO_new(BIO_s_mem()), &BIO_free);
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1)
    throw std::runtime_error("cannot encode the agent's public key");
  return bio_text(out.get());
}

// Creates the missing folders of `dir`, each with mode 0700.
void create_private_folders(const fs::path& dir, const std::string& path) {
  if (dir.empty() || fs::exists(dir))
    return;
  create_private_folders(dir.parent_path(), path);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail(path, "cannot create folder " + dir.string() + ": " + errno_text());
}

// Writes a new key to `path`: a fresh temporary file (mkostemp: O_EXCL, mode 0600), fsync'ed, then
// linked to `path` (fails if another process created it meanwhile, whose key then wins).
void create_key_file(const std::string& path) {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  bio_ptr pem(BIO_new(BIO_s_mem()), &BIO_free);
  if (!key || !pem ||
      PEM_write_bio_PrivateKey(pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail(path, "cannot generate an Ed25519 key");
  }
  const std::string text = bio_text(pem.get());
  create_private_folders(fs::path(path).parent_path(), path);
  std::string tmp = path + ".new.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // O_CREAT | O_EXCL, mode 0600
  if (fd < 0)
    fail(path, "cannot create " + tmp + ": " + errno_text());
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  const bool linked = written && ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written)
    fail(path, "cannot write " + tmp + ": " + std::strerror(write_errno));
  if (!linked && link_errno != EEXIST)
    fail(path, std::string("cannot create: ") + std::strerror(link_errno));
}

std::string read_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    fail(path, "cannot read: " + errno_text());
  struct stat st {};
  std::string text;
  std::string problem;
  if (::fstat(fd, &st) != 0) {
    problem = "cannot read: " + errno_text();
  } else if (!S_ISREG(st.st_mode)) {
    problem = "not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    problem = "group or others have access to it (mode must be 0600)";
  } else if (st.st_size > 64 * 1024) {
    problem = "too large for a key file";
  } else {
    text.resize(static_cast<std::size_t>(st.st_size));
    if (::read(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      problem = "cannot read: " + errno_text();
  }
  ::close(fd);
  if (!problem.empty())
    fail(path, problem);
  return text;
}

}  // namespace

std::string agent_key_path(const std::string& option) {
  if (!option.empty())
    return option;
  if (const char* env = std::getenv(kKeyFileVariable); env != nullptr && *env != '\0')
    return env;
  return kDefaultKeyFile;
}

agent_key::agent_key(std::shared_ptr<EVP_PKEY> key)
    : key_(std::move(key)),
      public_pem_(public_pem_of(key_.get())),
      fingerprint_(public_key_fingerprint(public_pem_)) {}

agent_key agent_key::load_or_create(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      fail(path, "cannot read: " + errno_text());
    create_key_file(path);
  }
  const std::string text = read_private_file(path);
  auto in = memory_bio(text);
  pkey_ptr key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr,
               &EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    fail(path, "not an Ed25519 private key in PEM form");
  return agent_key(std::move(key));
}

std::string agent_key::sign(std::string_view message) const {
  md_ctx_ptr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    throw std::runtime_error("cannot sign with the agent key");
  }
  signature.resize(length);
  return signature;
}

signing_info agent_key::info() const {
  return {"Ed25519", public_pem_, fingerprint_};
}

}  // namespace cloison
