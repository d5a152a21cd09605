#include "core/interned_text.h"

#include <mutex>
#include <unordered_set>

namespace cloison {

namespace {

struct pool {
  std::mutex mutex;
  std::unordered_set<std::string> texts;  // nodes: their addresses never change
};

pool& the_pool() {
  static pool* p = new pool;  // never destroyed: values may outlive static destruction
  return *p;
}

}  // namespace

interned_text::interned_text(std::string_view text) {
  if (text.empty())
    return;
  auto& p = the_pool();
  std::lock_guard lock(p.mutex);
  text_ = &*p.texts.emplace(text).first;
}

const std::string& interned_text::str() const {
  static const std::string empty;
  return text_ ? *text_ : empty;
}

}  // namespace cloison
