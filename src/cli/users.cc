// `vigie user add|list`: local accounts. Passwords come from the terminal (typed twice,
// not echoed) or from standard input; there is no default password.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "events/store.h"

namespace vigie::cli {
namespace {

std::string read_line(bool echo) {
  termios old{};
  const bool tty = isatty(STDIN_FILENO);
  if (tty && !echo) {
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty && !echo) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fmt::print(stderr, "\n");
  }
  return line;
}

std::string ask_password() {
  if (!isatty(STDIN_FILENO)) return read_line(true);  // piped in by a script
  fmt::print(stderr, "password (12 characters or more): ");
  const std::string first = read_line(false);
  fmt::print(stderr, "again: ");
  if (read_line(false) != first) throw UsageError("the two passwords differ");
  return first;
}

std::unique_ptr<events::Store> open(const UserOptions& o) {
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  return std::move(store.value());
}

double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

int user_add(const UserOptions& o) {
  if (auto why = events::invalid_account_name(o.name)) throw UsageError(*why);  // before asking for a password
  auto store = open(o);
  const std::string password = ask_password();
  if (auto r = store->add_user(o.name, o.role, password, now()); !r) throw UsageError(r.error().message);
  if (auto r = store->audit(local_user(), "user.add", nlohmann::json{{"name", o.name}, {"role", o.role}}.dump(), now());
      !r)
    throw std::runtime_error(fmt::format("account '{}' created, but not audited: {}", o.name, r.error().message));
  fmt::print("account '{}' created with role {}\n", o.name, o.role);
  return 0;
}

int user_list(const UserOptions& o) {
  auto store = open(o);
  const auto users = store->users();
  if (!users) throw std::runtime_error(users.error().message);
  for (const auto& [name, role] : *users) fmt::print("{:<24} {}\n", name, role);
  return 0;
}

}  // namespace vigie::cli
