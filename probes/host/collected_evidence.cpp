#include "probes/host/collected_evidence.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/bounded_read.h"
#include "core/signature.h"

namespace cloison {

namespace {

constexpr std::size_t kMaxPublicKeyBytes = 64 * 1024;

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// nullopt when `text` is not padded base64.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  const std::size_t padding = text.ends_with("==")  ? 2
                              : text.ends_with("=") ? 1
                                                    : 0;  // DecodeBlock keeps their zeros
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// {"text": ...} when `bytes` is valid UTF-8 (nlohmann's strict dump is the validator), else
// {"base64": ...}.
json stream_json(const std::string& bytes) {
  try {
    (void)json(bytes).dump();
    return {{"text", bytes}};
  } catch (const json::type_error&) {
    return {{"base64", base64_encode(bytes)}};
  }
}

std::string stream_of(const json& j) {
  if (j.size() == 1 && j.contains("text"))
    return j.at("text").get<std::string>();
  if (j.size() == 1 && j.contains("base64")) {
    if (auto bytes = base64_decode(j.at("base64").get<std::string>()))
      return *bytes;
  }
  throw std::invalid_argument("an output is neither {\"text\"} nor valid {\"base64\"}");
}

json payload_json(const collected_evidence& e) {
  json commands = json::array();
  for (const auto& c : e.commands) {
    const auto& r = c.result;
    commands.push_back({{"argv", c.argv},
                        {"outcome", to_string(r.outcome)},
                        {"exit_code", r.exit_code},
                        {"stdout", stream_json(r.out)},
                        {"stderr", stream_json(r.err)},
                        {"truncated", r.truncated},
                        {"failure", r.failure},
                        {"program_missing", r.program_missing}});
  }
  return {{"format", kCollectedFormat},
          {"version", kCollectedVersion},
          {"host", e.host},
          {"collected_at", e.collected_at},
          {"cloison_version", e.cloison_version},
          {"output_cap", e.output_cap},
          {"commands", std::move(commands)}};
}

// Throws json::exception or std::invalid_argument when `j` is no payload of this version.
collected_evidence evidence_of(const json& j) {
  if (j.at("format").get<std::string>() != kCollectedFormat ||
      j.at("version").get<int>() != kCollectedVersion) {
    throw std::invalid_argument("not a version " + std::to_string(kCollectedVersion) + " payload");
  }
  collected_evidence e;
  e.host = j.at("host").get<std::string>();
  e.collected_at = j.at("collected_at").get<std::string>();
  e.cloison_version = j.at("cloison_version").get<std::string>();
  e.output_cap = j.at("output_cap").get<std::size_t>();
  for (const auto& c : j.at("commands")) {
    collected_command cmd;
    cmd.argv = c.at("argv").get<std::vector<std::string>>();
    const auto o = outcome_from_string(c.at("outcome").get<std::string>());
    if (!o)
      throw std::invalid_argument("unknown outcome of " + c.at("argv").dump());
    cmd.result.outcome = *o;
    cmd.result.exit_code = c.at("exit_code").get<int>();
    cmd.result.out = stream_of(c.at("stdout"));
    cmd.result.err = stream_of(c.at("stderr"));
    cmd.result.truncated = c.at("truncated").get<bool>();
    cmd.result.failure = c.at("failure").get<std::string>();
    cmd.result.program_missing = c.at("program_missing").get<bool>();
    e.commands.push_back(std::move(cmd));
  }
  return e;
}

// The bytes of a regular file of at most `max_bytes`, or the reason (French, English) it cannot
// be read.
struct file_read {
  std::string bytes;
  std::string fr, en;
};

file_read read_bounded(const std::string& path, std::size_t max_bytes) {
  using kind = bounded_read_error::kind;
  file_read r;
  try {
    r.bytes = read_file_bounded(path, max_bytes);
  } catch (const bounded_read_error& e) {
    r.en = e.why() == kind::cannot_read ? "cannot be read (" + e.detail() + ")" : e.what();
    r.fr = e.why() == kind::cannot_read   ? "illisible (" + e.detail() + ")"
           : e.why() == kind::not_regular ? "pas un fichier ordinaire"
           : e.why() == kind::too_large
               ? "trop grand (" + e.detail() + " octets, limite " + std::to_string(max_bytes) + ")"
               : "modifié pendant sa lecture";
  }
  return r;
}

// `d` in the inventory's notation, in its largest exact unit: "8d", "36h", "90m", "45s".
std::string duration_text(std::chrono::seconds d) {
  constexpr std::array<std::pair<const char*, long>, 3> kUnits{
      {{"d", 86400}, {"h", 3600}, {"m", 60}}};
  for (const auto& [unit, seconds] : kUnits) {
    if (d.count() % seconds == 0)
      return std::to_string(d.count() / seconds) + unit;
  }
  return std::to_string(d.count()) + "s";
}

}  // namespace

command_result recording_runner::run(const std::vector<std::string>& argv, deadline until,
                                     std::size_t cap) const {
  auto r = inner_->run(argv, until, cap);
  std::lock_guard lock(mutex_);
  recorded_.push_back({argv, r});
  return r;
}

std::vector<command_result> recording_runner::run_all(
    const std::vector<std::vector<std::string>>& argvs, deadline until, std::size_t cap) const {
  auto results = inner_->run_all(argvs, until, cap);
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < argvs.size() && i < results.size(); ++i)
    recorded_.push_back({argvs[i], results[i]});
  return results;
}

std::vector<collected_command> recording_runner::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

std::string signed_payload(const collected_evidence& e) {
  return payload_json(e).dump(-1, ' ', true);
}

std::string evidence_file_text(const std::string& payload, std::string_view signature,
                               const std::string& signer_fingerprint) {
  const json file{{"format", kCollectedFormat},
                  {"version", kCollectedVersion},
                  {"payload", payload},
                  {"signature",
                   {{"algorithm", "Ed25519"},
                    {"public_key_fingerprint", signer_fingerprint},
                    {"value", base64_encode(signature)}}}};
  return file.dump(2, ' ', true) + "\n";
}

namespace {

// A refusal of the evidence file `source.file` (French, English).
loaded_evidence refused(const collected_evidence_source& source, std::string signer,
                        const std::string& fr, const std::string& en) {
  return {std::nullopt, std::move(signer),
          "preuves collectées refusées (" + source.file + ") : " + fr +
              " — collected evidence refused (" + source.file + "): " + en};
}

}  // namespace

loaded_evidence load_collected_evidence(const collected_evidence_source& source,
                                        const std::string& host,
                                        std::chrono::system_clock::time_point now,
                                        std::size_t max_bytes) {
  const auto key = read_bounded(source.public_key, kMaxPublicKeyBytes);
  if (!key.fr.empty())
    return refused(source, "", "clé publique épinglée " + source.public_key + " " + key.fr,
                   "pinned public key " + source.public_key + " " + key.en);
  const auto file = read_bounded(source.file, max_bytes);
  if (!file.fr.empty())
    return refused(source, public_key_fingerprint(key.bytes), "fichier " + file.fr,
                   "file " + file.en);
  return read_collected_evidence(file.bytes, key.bytes, source, host, now);
}

loaded_evidence read_collected_evidence(std::string_view file_text, std::string_view public_pem,
                                        const collected_evidence_source& source,
                                        const std::string& host,
                                        std::chrono::system_clock::time_point now) {
  loaded_evidence out;
  out.signer = public_key_fingerprint(public_pem);
  const auto refuse = [&](const std::string& fr, const std::string& en) {
    return refused(source, out.signer, fr, en);
  };
  if (out.signer.empty())
    return refuse("la clé épinglée " + source.public_key + " n'est pas une clé publique Ed25519",
                  "the pinned key " + source.public_key + " is no Ed25519 public key");
  if (json_depth(file_text) > kMaxCollectedDepth) {  // the file itself is 2 deep
    return refuse("imbrication JSON plus profonde que " + std::to_string(kMaxCollectedDepth),
                  "JSON nested deeper than " + std::to_string(kMaxCollectedDepth));
  }
  std::string payload, declared_signer;
  std::optional<std::string> signature;
  try {
    const auto j = json::parse(file_text);
    if (j.at("format").get<std::string>() != kCollectedFormat ||
        j.at("version").get<int>() != kCollectedVersion) {
      throw std::invalid_argument("format");
    }
    payload = j.at("payload").get<std::string>();
    declared_signer = j.at("signature").at("public_key_fingerprint").get<std::string>();
    if (j.at("signature").at("algorithm").get<std::string>() == "Ed25519")
      signature = base64_decode(j.at("signature").at("value").get<std::string>());
  } catch (const std::exception&) {
    return refuse(
        "ce n'est pas un fichier de preuves cloison (version " + std::to_string(kCollectedVersion) +
            ")",
        "not a cloison evidence file (version " + std::to_string(kCollectedVersion) + ")");
  }
  if (!signature || verify_signature(public_pem, payload, *signature) != signature_check::valid) {
    if (declared_signer != out.signer)
      return refuse("signé par une autre clé (" + declared_signer + ") que la clé épinglée (" +
                        out.signer + ")",
                    "signed by another key (" + declared_signer + ") than the pinned key (" +
                        out.signer + ")");
    return refuse("signature invalide : le contenu a été modifié après la signature",
                  "invalid signature: the content was altered after it was signed");
  }
  collected_evidence e;
  try {
    if (json_depth(payload) > kMaxCollectedDepth)
      throw std::invalid_argument("JSON nested deeper than " + std::to_string(kMaxCollectedDepth));
    e = evidence_of(json::parse(payload));
  } catch (const std::exception& ex) {
    return refuse(std::string("contenu signé mal formé (") + ex.what() + ")",
                  std::string("malformed signed content (") + ex.what() + ")");
  }
  if (e.host != host)
    return refuse("collectées sur l'hôte « " + e.host + " », pas sur « " + host + " »",
                  "collected on host '" + e.host + "', not on '" + host + "'");
  const auto at = parse_utc_time(e.collected_at);
  if (!at)
    return refuse("date de collecte illisible « " + e.collected_at + " »",
                  "unreadable collection time '" + e.collected_at + "'");
  // In seconds: a date centuries away (year 1013) overflows the clock's nanoseconds.
  const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
  if (*at > now_s + kCollectedClockSkew)
    return refuse("date de collecte " + e.collected_at + " dans le futur",
                  "collection time " + e.collected_at + " lies in the future");
  if (now_s - *at > source.max_age) {
    const auto age = duration_text(source.max_age);
    return refuse("trop anciennes : collectées le " + e.collected_at + ", âge maximal " + age,
                  "too old: collected at " + e.collected_at + ", maximum age " + age);
  }
  out.evidence = std::move(e);
  return out;
}

command_result replay_runner::run(const std::vector<std::string>& argv, deadline,
                                  std::size_t cap) const {
  const auto it = std::find_if(evidence_.commands.begin(), evidence_.commands.end(),
                               [&](const collected_command& c) { return c.argv == argv; });
  if (it == evidence_.commands.end()) {
    command_result r;
    r.outcome = outcome::error;
    r.failure = argv.empty() ? "empty command" : argv[0] + ": not collected";
    return r;
  }
  command_result r = it->result;
  for (auto* stream : {&r.out, &r.err}) {
    if (stream->size() > cap) {
      stream->resize(cap);
      r.truncated = true;
    }
  }
  return r;
}

}  // namespace cloison
