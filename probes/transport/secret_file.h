// Secrets (passwords, passphrases) live in files the inventory names; they are read just before
// use and wiped right after. Nothing here logs or returns a secret in an error text.
#pragma once

#include <cstddef>
#include <string>

namespace cloison {

// A secret file larger than this is refused unread.
inline constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

// Reads the first line of `path` (without its end of line) into `into`, in one buffer the size
// of the file (no reallocated copy is left in memory). false with `why` set (naming the file and
// what to do, never its content) when the file cannot be read, is not a regular file, is open to
// group or others (any bit of mode 077), or is larger than kMaxSecretFileBytes.
bool read_secret_file(const std::string& path, std::string& into, std::string& why);

// Overwrites the bytes of `secret` before clearing it.
void wipe(std::string& secret);

}  // namespace cloison
