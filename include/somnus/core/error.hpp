// SPDX-License-Identifier: MIT
// Run-time errors thrown at API boundaries. Kernels never throw; they carry
// debug asserts only. Messages name the file or parameter and the bad value.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace somnus {

/// Base of every exception somnus throws on purpose.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A data file (IDX, N-MNIST, checkpoint, ...) is missing, truncated or malformed.
class data_error : public error {
public:
    using error::error;
};

/// A parameter or option has a value the model cannot run with.
class config_error : public error {
public:
    using error::error;
};

namespace detail {

template <class Error = config_error, class... Args>
inline void require(bool ok, fmt::format_string<Args...> f, Args&&... args)
{
    if (!ok) throw Error(fmt::format(f, std::forward<Args>(args)...));
}

} // namespace detail
} // namespace somnus
