// SPDX-License-Identifier: MIT
// Sizes asked of the library at its API boundary (n trains x bins, bins of a
// histogram, cells of a table) are checked before anything is allocated: a
// product that overflows, or a buffer larger than the machine's memory, is a
// config_error naming the sizes, not a wrapped size, a bad_alloc or the
// out-of-memory killer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

#include "error.hpp"

namespace somnus::detail {

/// The most bytes one buffer may take: the machine's physical memory where
/// the system says (POSIX), and never more than 2^40 (1 TiB, also the
/// largest block AddressSanitizer hands out).
/// Asked of the system once per process.
inline std::uint64_t max_buffer_bytes()
{
    static const std::uint64_t most = [] {
        std::uint64_t m = std::uint64_t{1} << 40;
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
        const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0 && std::uint64_t(pages) <= m / std::uint64_t(page)) m = std::uint64_t(pages) * std::uint64_t(page);
#endif
        return m;
    }();
    return most;
}

/// n * m elements of elem_bytes bytes each, or a config_error naming `what`
/// and the sizes when the product overflows or is more than
/// max_buffer_bytes().
inline std::size_t checked_elements(std::string_view what, std::size_t n, std::size_t m, std::size_t elem_bytes)
{
    const std::uint64_t most = max_buffer_bytes() / std::max<std::size_t>(elem_bytes, 1);
    const bool fits = m == 0 || n <= most / m;
    require(fits, "{}: {} x {} elements of {} bytes are more than the {} bytes this machine can hold", what, n, m, elem_bytes,
            max_buffer_bytes());
    return n * m;
}

} // namespace somnus::detail
