// Fault injection: make an operation fail, or die abruptly, at a named step,
// so that tests can prove every step has an undo and every crash can be
// recovered.
//
// Set PODNS_FAULT=STEP:error or PODNS_FAULT=STEP:crash (several separated by
// commas). At the point named STEP, reached just after that step's work is
// done, the operation then fails with an injected error (and rolls back), or
// the process kills itself with SIGKILL (no cleanup code runs at all).
// `podns fault-steps` lists the steps.
#pragma once

#include <span>
#include <string_view>

#include "podns/error.h"

namespace podns::fault {

// Every named step, in the order an operation reaches them.
std::span<const std::string_view> steps();

// The injection point for `step`: an error, a SIGKILL, or nothing, as
// PODNS_FAULT says. `step` must be one of steps().
Result<void> point(std::string_view step);

}  // namespace podns::fault
