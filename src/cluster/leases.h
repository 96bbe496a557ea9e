// Several machines on one PostgreSQL store: which worker analyses which camera.
//
// A worker holds a camera while it holds the camera's PostgreSQL advisory lock, a lock that
// lives with its database session. Never twice at once: a lock has one holder. A worker
// killed (or whose machine is gone) loses its locks when the server closes its session,
// and another worker's next round (each second) takes the cameras. A holder whose session
// stays open but whose heartbeat stopped (a frozen process) has its session ended by a
// claimant after lease_s.
//
// When the database is away nobody can take anything, so a holder keeps analysing (its
// alerts wait in its outbox). When the database is back, holders take their locks again at
// their first round, and every node waits claim_grace_s after its own (re)connection before
// claiming more: the holders win. docs/decisions.md says what a network partition costs.
//
// Each worker claims up to a fair share (configured cameras / live workers, rounded up),
// so that three workers starting together split the cameras, and the survivors of a dead
// one share its cameras.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigie::cluster {

struct NodeSettings {
  std::string url;       // the PostgreSQL store's URL
  std::string node;      // this node's name (unique in the cluster)
  std::string role;      // worker or api
  std::string view_url;  // where this worker's live views are (workers)
  double lease_s = 10;
  double claim_grace_s = 5;
};

// A camera as the lease table shows it.
struct CameraLease {
  std::string camera, worker, view_url;
  std::string status;      // the worker's last status of it (JSON), "{}" before any
  double beat_age_s = 0;   // seconds since the holder last wrote it (database clock)
  bool held = false;       // a live worker holds it (beat within lease_s)
};

class Leases {
 public:
  explicit Leases(NodeSettings settings);
  ~Leases();

  struct Round {
    std::set<std::string> held;  // the cameras this node analyses after the round
    bool connected = false;
    std::string problem;         // why not connected, or what failed
  };
  // One round, about once a second: this node's heartbeat; for a worker, its cameras kept
  // (taken again after a reconnection), free ones claimed up to the fair share, and each
  // held camera's `status` (JSON) written for the API nodes. `now_s`: a monotonic clock
  // in seconds (injected: the grace is tested without waiting).
  Round round(const std::vector<std::string>& cameras, const std::map<std::string, std::string>& status,
              double now_s);
  // The lease table (API nodes: the camera list and where each live view is).
  Result<std::vector<CameraLease>> leases();
  // Every camera given back and the session closed (a clean stop): others take them at
  // their next round.
  void release_all();

 private:
  struct Row {
    int64_t lock_id = 0;
    std::string worker;
    double beat_age_s = 1e18;
  };
  struct Session;  // the PostgreSQL session (libpqxx), whose locks are the leases
  Session& session(double now_s);
  std::map<std::string, Row> rows(const std::vector<std::string>& cameras);
  bool try_lock(int64_t lock_id);
  void keep_held(const std::map<std::string, Row>& rows);
  void claim(const std::vector<std::string>& cameras, const std::map<std::string, Row>& rows);
  int64_t live_workers();
  void end_stale_holder(const std::string& camera);
  // The heartbeat and state of the cameras held (or of `only`).
  void write_status(const std::map<std::string, std::string>& status, const std::string& only = "");

  NodeSettings s_;
  std::unique_ptr<Session> conn_;
  double connected_at_s_ = 0;
  std::set<std::string> held_;            // analysed here (kept while the database is away)
  std::set<std::string> locked_;          // locked in the current session
  std::set<std::string> registered_;      // rows known to exist
};

}  // namespace vigie::cluster
