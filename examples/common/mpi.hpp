// SPDX-License-Identifier: MIT
// Sweeps spread over processes with MPI (OpenMPI), when the examples are
// built with it (SOMNUS_HAVE_MPI; CMake option SOMNUS_WITH_MPI); without it,
// one process does everything and the same code runs unchanged. The pattern
// every sweep follows: item k (an ensemble member, a seed, a setting) is
// done by rank k % size, each rank turns its results into text, rank 0
// gathers them in rank order, puts them back in item order and writes the
// outputs, so that the results do not depend on the number of processes.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#if SOMNUS_HAVE_MPI
#include <mpi.h>
#endif

namespace somnus::example {

class mpi_session {
public:
    mpi_session(int& argc, char**& argv)
    {
#if SOMNUS_HAVE_MPI
        int ready = 0;
        MPI_Initialized(&ready);
        if (!ready) {
            MPI_Init(&argc, &argv);
            owns_ = true;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
        (void)argc;
        (void)argv;
#endif
    }
    ~mpi_session()
    {
#if SOMNUS_HAVE_MPI
        if (owns_) MPI_Finalize();
#endif
    }
    mpi_session(const mpi_session&) = delete;
    mpi_session& operator=(const mpi_session&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool root() const { return rank_ == 0; }
    /// Does this rank do item k of a sweep?
    bool mine(std::size_t k) const { return k % static_cast<std::size_t>(size_) == static_cast<std::size_t>(rank_); }

    /// Every rank's text, in rank order, at rank 0 (other ranks get nothing).
    std::vector<std::string> gather(const std::string& mine) const
    {
#if SOMNUS_HAVE_MPI
        if (size_ > 1) {
            const unsigned long long n = mine.size();
            std::vector<unsigned long long> sizes(root() ? std::size_t(size_) : 0);
            MPI_Gather(&n, 1, MPI_UNSIGNED_LONG_LONG, sizes.data(), 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
            std::vector<std::string> all;
            if (root()) {
                all.resize(std::size_t(size_));
                all[0] = mine;
                for (int r = 1; r < size_; ++r) {
                    all[std::size_t(r)].resize(sizes[std::size_t(r)]);
                    receive(all[std::size_t(r)], r);
                }
            } else {
                send(mine);
            }
            return all;
        }
#endif
        return {mine};
    }

    /// Ends every process with `code` when one fails while others may be
    /// waiting for it (MPI_Abort); a single process just returns the code.
    int finish(int code) const
    {
#if SOMNUS_HAVE_MPI
        if (size_ > 1 && code != 0) {
            std::fflush(stderr);
            MPI_Abort(MPI_COMM_WORLD, code);
        }
#endif
        return code;
    }

private:
#if SOMNUS_HAVE_MPI
    // Texts go in pieces of at most 1 GiB (MPI counts are int).
    static constexpr std::size_t piece = std::size_t{1} << 30;
    void send(const std::string& s) const
    {
        for (std::size_t at = 0; at < s.size(); at += piece)
            MPI_Send(s.data() + at, int(std::min(piece, s.size() - at)), MPI_CHAR, 0, 7, MPI_COMM_WORLD);
    }
    void receive(std::string& s, int from) const
    {
        for (std::size_t at = 0; at < s.size(); at += piece)
            MPI_Recv(s.data() + at, int(std::min(piece, s.size() - at)), MPI_CHAR, from, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    bool owns_ = false;
#endif
    int rank_ = 0, size_ = 1;
};

} // namespace somnus::example
