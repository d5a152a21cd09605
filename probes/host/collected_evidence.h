// Collected evidence (docs/collected-evidence.md): the results of the host probe's fixed commands,
// gathered by `cloison collect` on a host that refuses SSH (a hardened repository), signed with
// that host's agent key (Ed25519), then read back by the audit, which replays them through a
// command_runner so that the same parsers decide the facts.
//
// The file is one JSON object: {"format", "version", "payload", "signature"}. "payload" is a
// string holding the signed bytes: the payload object serialized compactly with every non-ASCII
// character escaped, so its bytes are exactly what `jq -j .payload` prints. Outputs are kept as
// {"text": ...} when they are valid UTF-8, else as {"base64": ...}.
//
// Functions are pure or read only the files they are given; they never throw (failures are in
// their results) and are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "probes/transport/command_runner.h"

namespace cloison {

inline constexpr const char* kCollectedFormat = "cloison.collected-evidence";
inline constexpr int kCollectedVersion = 1;
// An evidence file larger than this is refused unread (it comes from another machine).
inline constexpr std::size_t kMaxCollectedFileBytes = 64u << 20;
// The deepest JSON nesting accepted, in the file and in its signed payload (both need 4), checked
// before either is parsed.
inline constexpr std::size_t kMaxCollectedDepth = 8;
// How far a collection time may lie ahead of this machine's clock (clock skew).
inline constexpr std::chrono::minutes kCollectedClockSkew{10};

struct collected_command {
  std::vector<std::string> argv;
  command_result result;
};

struct collected_evidence {
  std::string host;             // the inventory name of the host it was collected on
  std::string collected_at;     // ISO-8601 UTC, when the collection started
  std::string cloison_version;  // of the agent that collected it
  std::size_t output_cap = kDefaultOutputCap;
  std::vector<collected_command> commands;  // in the order they ran
};

// Runs every command through `inner` and records it with its result, in the order they finish:
// `cloison collect` reads its host through one, so the evidence file holds exactly what the host
// probe ran. Thread-safe.
class recording_runner final : public command_runner {
 public:
  explicit recording_runner(std::shared_ptr<const command_runner> inner)
      : inner_(std::move(inner)) {}
  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override;
  std::vector<command_result> run_all(const std::vector<std::vector<std::string>>& argvs,
                                      deadline until, std::size_t cap) const override;
  std::vector<collected_command> recorded() const;

 private:
  std::shared_ptr<const command_runner> inner_;
  mutable std::mutex mutex_;
  mutable std::vector<collected_command> recorded_;  // guarded by mutex_
};

// The signed bytes of `e`: its payload object, compact JSON, ASCII only.
std::string signed_payload(const collected_evidence& e);

// The evidence file: `payload` (signed_payload()), the Ed25519 `signature` of its bytes and the
// fingerprint of the signing key (core/signature.h), as JSON text ending with a newline.
std::string evidence_file_text(const std::string& payload, std::string_view signature,
                               const std::string& signer_fingerprint);

// The result of reading an evidence file: the evidence when it was accepted, else why not.
struct loaded_evidence {
  std::optional<collected_evidence> evidence;
  std::string signer;   // fingerprint of the pinned key (empty when that key is unreadable)
  std::string refusal;  // French then English, "… — …"; empty when accepted
};

// Reads `source.file` for the host named `host`: refused (refusal set, no evidence) when the file
// is missing, larger than `max_bytes`, not an evidence file, not signed by the Ed25519 key of
// `source.public_key` (a wrong signer or any altered byte), collected for another host, older than
// `source.max_age` at `now`, or collected more than kCollectedClockSkew after `now`.
loaded_evidence load_collected_evidence(const collected_evidence_source& source,
                                        const std::string& host,
                                        std::chrono::system_clock::time_point now,
                                        std::size_t max_bytes = kMaxCollectedFileBytes);
// The same over the bytes of the file and of the pinned key already read (`source` names them in
// refusals and gives the maximum age): refuses what load_collected_evidence refuses once read.
loaded_evidence read_collected_evidence(std::string_view file_text, std::string_view public_pem,
                                        const collected_evidence_source& source,
                                        const std::string& host,
                                        std::chrono::system_clock::time_point now);

// Replays collected results: run(argv) returns the result recorded for exactly `argv`, its
// outputs cut at `cap` (then marked truncated), and an error "not collected" for any other
// command. Ignores the deadline.
class replay_runner final : public command_runner {
 public:
  explicit replay_runner(collected_evidence e) : evidence_(std::move(e)) {}
  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override;

 private:
  collected_evidence evidence_;
};

}  // namespace cloison
