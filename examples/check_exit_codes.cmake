# SPDX-License-Identifier: MIT
# Every bad argument or bad data file gives exit status 2 and a one-line
# message on stderr naming the problem; --help gives 0.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt ${WORK}/truncated)

include(${CMAKE_CURRENT_LIST_DIR}/expect_exit.cmake)

expect(0 "" --help)
expect(2 "neurons" --neurons banana)
expect(2 "frobnicate" --frobnicate)
expect(2 "dataset" --dataset cifar)
expect(2 "showings" --showings 0)
expect(2 "no-such-dir" --data ${WORK}/no-such-dir --train 10 --test 10)

# Wrong magic number.
file(WRITE ${WORK}/corrupt/train-images-idx3-ubyte "this is not an IDX file at all")
file(WRITE ${WORK}/corrupt/train-labels-idx1-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-images-idx3-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-labels-idx1-ubyte "nor this")
expect(2 "train-images-idx3-ubyte" --data ${WORK}/corrupt --train 10 --test 10)

# A valid header declaring 60000 28x28 images, followed by almost nothing.
# (CMake strings cannot hold NUL bytes, so printf writes the header.)
execute_process(COMMAND printf "\\000\\000\\010\\003\\000\\000\\352\\140\\000\\000\\000\\034\\000\\000\\000\\034abc"
                OUTPUT_FILE ${WORK}/truncated/train-images-idx3-ubyte)
foreach(f train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/truncated/${f} "")
endforeach()
expect(2 "train-images-idx3-ubyte" --data ${WORK}/truncated --train 10 --test 10)

# A checkpoint that is not one.
file(WRITE ${WORK}/bad.ckpt "SOMNUSCK garbage")
expect(2 "bad.ckpt" --load ${WORK}/bad.ckpt --data ${WORK}/no-such-dir --train 0 --test 10)
