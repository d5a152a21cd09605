// Secrets (passwords, passphrases) live in files the inventory names; they are read just before
// use and wiped right after. Nothing here logs or returns a secret in an error text.
#pragma once

#include <string>

namespace cloison {

// Reads the first line of `path` (without its end of line) into `into`. false with `why` set
// (naming the file, never its content) when the file cannot be read.
bool read_secret_file(const std::string& path, std::string& into, std::string& why);

// Overwrites the bytes of `secret` before clearing it.
void wipe(std::string& secret);

}  // namespace cloison
