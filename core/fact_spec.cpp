#include "core/fact_spec.h"

namespace cloison {

std::string_view to_string(fact_type t) {
  switch (t) {
    case fact_type::text:
      return "text";
    case fact_type::integer:
      return "integer";
    case fact_type::boolean:
      return "boolean";
    case fact_type::text_list:
      return "list of text";
  }
  return "text";
}

}  // namespace cloison
