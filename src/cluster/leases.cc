#include "cluster/leases.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <pqxx/pqxx>

#include "events/database.h"

namespace vigie::cluster {
namespace {

// Advisory locks are one 64-bit space shared with anything else on the server: vigie's
// camera locks are lock_id + this.
constexpr int64_t kLockBase = int64_t{7236} << 32;

// The database's clock: every node compares beats with the same clock.
constexpr const char* kNow = "extract(epoch from clock_timestamp())";

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

struct Leases::Session {
  explicit Session(const std::string& url) : c(url) {}
  pqxx::connection c;
};

Leases::Leases(NodeSettings settings) : s_(std::move(settings)) {}

Leases::~Leases() = default;

Leases::Session& Leases::session(double now_s) {
  if (conn_ && conn_->c.is_open()) return *conn_;
  conn_.reset();
  locked_.clear();  // the locks went with the old session
  registered_.clear();
  conn_ = std::make_unique<Session>(events::with_connection_defaults(s_.url));
  connected_at_s_ = now_s;
  return *conn_;
}

Leases::Round Leases::round(const std::vector<std::string>& cameras, const std::map<std::string, std::string>& status,
                            double now_s) {
  Round r;
  try {
    pqxx::nontransaction tx(session(now_s).c);
    tx.exec_params(fmt::format("INSERT INTO cluster_nodes (name, role, url, backend_pid, beat_epoch) "
                               "VALUES ($1, $2, $3, pg_backend_pid(), {0}) ON CONFLICT (name) DO UPDATE SET "
                               "role = $2, url = $3, backend_pid = pg_backend_pid(), beat_epoch = {0}",
                               kNow),
                   s_.node, s_.role, s_.view_url);
    tx.commit();
    if (s_.role == "worker") {
      const auto table = rows(cameras);
      keep_held(table);
      write_status(status);  // the heartbeat first: nothing in the claims may delay it
      if (now_s - connected_at_s_ >= s_.claim_grace_s) claim(cameras, table);
    }
    r.connected = true;
  } catch (const pqxx::broken_connection& e) {
    conn_.reset();
    locked_.clear();
    r.problem = "the store is away: " + first_line(e.what());
  } catch (const std::exception& e) {
    r.problem = first_line(e.what());
  }
  r.held = held_;
  return r;
}

// The lease rows of the configured cameras, created on first sight (each gets its lock id).
std::map<std::string, Leases::Row> Leases::rows(const std::vector<std::string>& cameras) {
  pqxx::nontransaction tx(conn_->c);
  for (const auto& c : cameras)
    if (!registered_.count(c)) {
      tx.exec_params("INSERT INTO camera_leases (camera) VALUES ($1) ON CONFLICT (camera) DO NOTHING", c);
      registered_.insert(c);
    }
  std::map<std::string, Row> out;
  const auto result =
      tx.exec(fmt::format("SELECT camera, lock_id, worker, {} - beat_epoch FROM camera_leases", kNow));
  for (const auto& row : result)
    out[row[0].as<std::string>()] = Row{row[1].as<int64_t>(), row[2].as<std::string>(), row[3].as<double>()};
  return out;
}

bool Leases::try_lock(int64_t lock_id) {
  pqxx::nontransaction tx(conn_->c);
  return tx.exec_params1("SELECT pg_try_advisory_lock($1)", kLockBase + lock_id)[0].as<bool>();
}

// After a reconnection the cameras still analysed here are locked again first; one that
// another node took meanwhile is given up.
void Leases::keep_held(const std::map<std::string, Row>& table) {
  for (auto it = held_.begin(); it != held_.end();) {
    const auto row = table.find(*it);
    if (locked_.count(*it) || (row != table.end() && try_lock(row->second.lock_id))) {
      locked_.insert(*it);
      ++it;
    } else {
      it = held_.erase(it);
    }
  }
}

void Leases::claim(const std::vector<std::string>& cameras, const std::map<std::string, Row>& table) {
  const size_t share = static_cast<size_t>(
      std::ceil(static_cast<double>(cameras.size()) / static_cast<double>(std::max<int64_t>(live_workers(), 1))));
  // Each node starts looking at another place in the list: fewer nodes race for one lock.
  const size_t n = cameras.size(), start = n ? std::hash<std::string>{}(s_.node) % n : 0;
  for (size_t i = 0; i < n && held_.size() < share; ++i) {
    const std::string& cam = cameras[(start + i) % n];
    const auto row = table.find(cam);
    if (held_.count(cam) || row == table.end()) continue;
    if (try_lock(row->second.lock_id)) {
      held_.insert(cam);
      locked_.insert(cam);
      write_status({{cam, "{}"}}, cam);  // at once: nobody may think its old holder stale now
    } else if (row->second.beat_age_s > s_.lease_s && !row->second.worker.empty()) {
      end_stale_holder(cam);
    }
  }
}

// Live: beating, and its session still open (a killed worker leaves the count at once).
int64_t Leases::live_workers() {
  pqxx::nontransaction tx(conn_->c);
  return tx.exec_params1(fmt::format("SELECT count(*) FROM cluster_nodes n WHERE role = 'worker' AND "
                                     "beat_epoch > {} - $1 AND EXISTS (SELECT 1 FROM pg_stat_activity a "
                                     "WHERE a.pid = n.backend_pid)",
                                     kNow),
                         s_.lease_s)[0]
      .as<int64_t>();
}

// A lock held by a session whose worker stopped beating (a frozen process): that session
// is ended, so that the lock goes (taken at the next round). Checked again in the same
// statement, against the row as it is now: only the session the row names, only if its
// heartbeat is still stale, only this database's lock (a bigint key: objsubid 1).
void Leases::end_stale_holder(const std::string& camera) {
  pqxx::nontransaction tx(conn_->c);
  tx.exec_params(fmt::format(
                     "SELECT pg_terminate_backend(l.pid) FROM camera_leases c JOIN pg_locks l ON "
                     "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid = c.backend_pid AND "
                     "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
                     "((l.classid::bigint << 32) | l.objid::bigint) = $1 + c.lock_id "
                     "WHERE c.camera = $2 AND c.beat_epoch < {} - $3 AND l.pid <> pg_backend_pid()",
                     kNow),
                 kLockBase, camera, s_.lease_s);
}

void Leases::write_status(const std::map<std::string, std::string>& status, const std::string& only) {
  pqxx::nontransaction tx(conn_->c);
  for (const auto& cam : held_) {
    if (!only.empty() && cam != only) continue;
    const auto st = status.find(cam);
    tx.exec_params(fmt::format("UPDATE camera_leases SET worker = $1, backend_pid = pg_backend_pid(), view_url = $2, "
                               "beat_epoch = {}, status = $3 WHERE camera = $4",
                               kNow),
                   s_.node, s_.view_url, st == status.end() ? std::string("{}") : st->second, cam);
  }
}

Result<std::vector<CameraLease>> Leases::leases() {
  try {
    pqxx::nontransaction tx(session(0).c);
    const auto result = tx.exec(
        fmt::format("SELECT camera, worker, view_url, status, {} - beat_epoch FROM camera_leases ORDER BY camera", kNow));
    std::vector<CameraLease> out;
    for (const auto& row : result) {
      CameraLease l{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<std::string>(), row[4].as<double>()};
      l.held = !l.worker.empty() && l.beat_age_s <= s_.lease_s;
      out.push_back(std::move(l));
    }
    return out;
  } catch (const pqxx::broken_connection& e) {
    conn_.reset();
    return Error{"the store is away: " + first_line(e.what())};
  } catch (const std::exception& e) {
    return Error{first_line(e.what())};
  }
}

void Leases::release_all() {
  if (!conn_ || !conn_->c.is_open()) return;
  try {
    pqxx::nontransaction tx(conn_->c);
    for (const auto& cam : held_)
      tx.exec_params("UPDATE camera_leases SET worker = '', beat_epoch = 0 WHERE camera = $1 AND worker = $2", cam,
                     s_.node);
    tx.exec("SELECT pg_advisory_unlock_all()");
    tx.exec_params("DELETE FROM cluster_nodes WHERE name = $1", s_.node);
  } catch (const std::exception&) {
    // Closing the session below releases the locks anyway.
  }
  held_.clear();
  locked_.clear();
  conn_.reset();
}

}  // namespace vigie::cluster
