# SPDX-License-Identifier: MIT
# make_nmnist: --help gives 0; every bad argument or bad data file gives exit
# status 2 and a one-line message naming the problem; a conversion of a tiny
# MNIST-format set gives 0 and writes the N-MNIST folder tree.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt ${WORK}/tiny)

include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
expect(2 "limit" --limit banana)
expect(2 "frobnicate" --frobnicate)
expect(2 "dataset" --dataset cifar)
expect(2 "threads" --threads 0)
expect(2 "black-level" --black-level 2)
expect(2 "no-such-dir" --data ${WORK}/no-such-dir --out ${WORK}/out)

# Wrong magic number.
foreach(f train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/corrupt/${f} "this is not an IDX file")
endforeach()
expect(2 "train-images-idx3-ubyte" --data ${WORK}/corrupt --out ${WORK}/out)

# Two 28x28 images per split: a filled square (label 3) and a blank one
# (label 7). CMake strings cannot hold NUL bytes, so printf writes them.
set(sh "${WORK}/make_tiny.sh")
file(WRITE ${sh} "
cd '${WORK}/tiny'
image() { i=0; while [ $i -lt 784 ]; do r=$((i / 28)); c=$((i % 28));
  if [ $1 = 1 ] && [ $r -ge 8 ] && [ $r -lt 20 ] && [ $c -ge 8 ] && [ $c -lt 20 ]; then printf '\\377'; else printf '\\000'; fi
  i=$((i + 1)); done; }
for s in train t10k; do
  { printf '\\000\\000\\010\\003\\000\\000\\000\\002\\000\\000\\000\\034\\000\\000\\000\\034'; image 1; image 0; } > $s-images-idx3-ubyte
  printf '\\000\\000\\010\\001\\000\\000\\000\\002\\003\\007' > $s-labels-idx1-ubyte
done
")
execute_process(COMMAND sh ${sh} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "could not write the tiny MNIST files")
endif()
expect(0 "" --data ${WORK}/tiny --out ${WORK}/out --threads 2 --json ${WORK}/out.json --png ${WORK}/strip.png)
foreach(f Train/3/00001.bin Train/7/00002.bin Test/3/00001.bin Test/7/00002.bin)
  if(NOT EXISTS ${WORK}/out/${f})
    message(FATAL_ERROR "make_nmnist did not write ${f}")
  endif()
endforeach()
file(SIZE ${WORK}/out/Train/3/00001.bin square_bytes)
math(EXPR rest "${square_bytes} % 5")
if(square_bytes LESS 500 OR NOT rest EQUAL 0)
  message(FATAL_ERROR "Train/3/00001.bin has ${square_bytes} bytes: not a recording of a moving square")
endif()
foreach(f out.json strip.png)
  if(NOT EXISTS ${WORK}/${f})
    message(FATAL_ERROR "make_nmnist did not write ${f}")
  endif()
endforeach()
