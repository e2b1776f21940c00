# SPDX-License-Identifier: MIT
# examples/information: every bad argument or bad data file gives exit
# status 2 and a one-line message naming the problem; --help gives 0.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt ${WORK}/truncated)

include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
expect(2 "neurons" --neurons banana)
expect(2 "frobnicate" --frobnicate)
expect(2 "dataset" --dataset cifar)
expect(2 "alpha" --alpha 2)
expect(2 "tau-m" --tau-m 0)
expect(2 "w-inh" --w-inh -1)
expect(2 "no-such-dir" --dataset mnist --data ${WORK}/no-such-dir --train 10 --test 10)
expect(2 "no-such-fashion" --dataset fashion --fashion-data ${WORK}/no-such-fashion --train 10 --test 10)

# Wrong magic number.
file(WRITE ${WORK}/corrupt/train-images-idx3-ubyte "this is not an IDX file at all")
file(WRITE ${WORK}/corrupt/train-labels-idx1-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-images-idx3-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-labels-idx1-ubyte "nor this")
expect(2 "train-images-idx3-ubyte" --dataset fashion --data ${WORK}/corrupt --train 10 --test 10)

# A valid header declaring 60000 28x28 images, followed by almost nothing
# (with 60000 valid labels, so that the image file is the one at fault).
execute_process(COMMAND printf "\\000\\000\\010\\003\\000\\000\\352\\140\\000\\000\\000\\034\\000\\000\\000\\034abc"
                OUTPUT_FILE ${WORK}/truncated/train-images-idx3-ubyte)
write_idx(${WORK}/truncated/train-labels-idx1-ubyte 3 60000)
foreach(f t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/truncated/${f} "")
endforeach()
expect(2 "train-images-idx3-ubyte" --dataset mnist --data ${WORK}/truncated --train 10 --test 10)

# Numeric flags are checked as text: no sign, no wrap-around, no NaN, and
# bounds printed compactly (expect() refuses a number of 40 digits).
set(none --dataset mnist --data ${WORK}/no-such-dir)
# regression (defect 8): --epochs -1 wraps to 2^64-1 and runs until killed.
expect(2 "--epochs;-1" --epochs -1 ${none})
# regression (defect 8): every other integer flag wraps the same way.
expect(2 "--train;-1" --train -1 ${none})
expect(2 "--test;-1" --test -1 ${none})
expect(2 "--label;-1" --label -1 ${none})
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "--seed;18446744073709551616;too large" --seed 18446744073709551616 ${none})
expect(2 "--neurons" --neurons -1 ${none})
expect(2 "--surrogates" --surrogates -1 ${none})
expect(2 "--threads" --threads -1 ${none})
expect(2 "--threads" --threads 0 ${none})
# regression (defect 10): NaN passes the range checks of the float flags.
expect(2 "--alpha;nan" --alpha nan ${none})
expect(2 "--w-inh;nan" --w-inh nan ${none})
expect(2 "--eta;nan" --eta nan ${none})
expect(2 "--mu;nan" --mu nan ${none})
expect(2 "--x-tar;nan" --x-tar nan ${none})
expect(2 "--v-thresh;nan" --v-thresh nan ${none})
expect(2 "--tau-m;nan" --tau-m nan ${none})
# ... and infinity where it means nothing (for --tau-m, inf is no leak).
expect(2 "--w-inh;inf" --w-inh inf ${none})
expect(2 "--v-thresh;inf" --v-thresh inf ${none})
expect(2 "--eta;inf" --eta -inf ${none})
expect(2 "--mu" --mu 1e39 ${none})
expect(2 "no-such-dir" --tau-m inf ${none})
# Range errors print their bounds readably (CLI11's PositiveNumber printed
# the largest double as a 309-digit number).
expect(2 "--v-thresh;expected a finite number > 0" --v-thresh 0 ${none})
expect(2 "--alpha;[0, 1]" --alpha 2 ${none})

# regression (defect 9): unwritable output paths fail only after the whole
# run; now before any work (the data folder, missing, is never reached).
file(WRITE ${WORK}/a-file "")
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json ${none})
expect(2 "--markdown;does not exist" --markdown ${WORK}/missing/table1.md ${none})
expect(2 "--markdown;a directory" --markdown ${WORK} ${none})
expect(2 "--json;a-file" --json ${WORK}/a-file/out.json ${none})

# Small MNIST-format sets: 300 images of 28x28, and test images of 29x28.
write_mnist(${WORK}/small train 300 28 28)
write_mnist(${WORK}/small t10k 300 28 28)
write_mnist(${WORK}/test-29x28 train 300 28 28)
write_mnist(${WORK}/test-29x28 t10k 10 29 28)
write_mnist(${WORK}/train-27x29 train 300 27 29)
write_mnist(${WORK}/train-27x29 t10k 10 28 28)
# regression (defect 2): images of the wrong size are accepted; with both
# datasets, the second is checked before the first is trained on.
expect(2 "t10k-images-idx3-ubyte: images are 29x28;expected 28x28" --dataset mnist --data ${WORK}/test-29x28 --train 10 --test 10)
expect(2 "train-images-idx3-ubyte: images are 27x29;expected 28x28" --dataset mnist --data ${WORK}/train-27x29 --train 10 --test 10)
expect(2 "test-29x28/t10k-images-idx3-ubyte: images are 29x28;expected 28x28"
       --dataset both --data ${WORK}/small --fashion-data ${WORK}/test-29x28 --train 10 --test 10)
# regression (defect 3): more images than the file holds run the whole
# training, then fail with an index error and exit 1.
expect(2 "--train 500;train-images-idx3-ubyte holds only 300" --dataset mnist --data ${WORK}/small --train 500 --test 10)
expect(2 "--label 500;train-images-idx3-ubyte holds only 300" --dataset mnist --data ${WORK}/small --train 10 --label 500 --test 10)
expect(2 "--test 500;t10k-images-idx3-ubyte holds only 300" --dataset mnist --data ${WORK}/small --train 10 --test 500)

# A tiny run on the small set: the JSON names the arrays behind the figures
# (examples/information/figures.py draws them; ctest runs it on this result),
# and they lie beside it.
file(MAKE_DIRECTORY ${WORK}/tiny)
expect(0 "" --dataset mnist --data ${WORK}/small --neurons 10 --train 10 --label 20 --test 20 --surrogates 10
       --json ${WORK}/tiny/out.json --markdown ${WORK}/tiny/table1.md)
file(READ ${WORK}/tiny/out.json json)
foreach(name mi mi_miller_madow p_value output_spikes output_entropy confusion)
  string(JSON file GET "${json}" arrays ${name}_mnist file)
  if(NOT file STREQUAL "out.${name}_mnist.npy" OR NOT EXISTS ${WORK}/tiny/${file})
    message(FATAL_ERROR "information did not write the array ${name}_mnist beside tiny/out.json (JSON: '${file}')")
  endif()
endforeach()
string(JSON rows GET "${json}" arrays mi_mnist shape 0)
string(JSON cols GET "${json}" arrays mi_mnist shape 1)
string(JSON program GET "${json}" program)
if(NOT program STREQUAL "information" OR NOT rows EQUAL 10 OR NOT cols EQUAL 10)
  message(FATAL_ERROR "tiny/out.json: program '${program}', mi_mnist shape ${rows} x ${cols} (expected information, 10 x 10)")
endif()

# regression (defect 9): a --markdown failing late (its temporary file cannot
# be made: a folder is in the way) lost the results. Now reported, the run
# goes on, the JSON records it, and the exit status is 1.
file(MAKE_DIRECTORY ${WORK}/late/table1.md.tmp)
expect(1 "" --dataset mnist --data ${WORK}/small --neurons 10 --train 10 --label 20 --test 20 --surrogates 10
       --markdown ${WORK}/late/table1.md --json ${WORK}/late/out.json)
file(READ ${WORK}/late/out.json json)
string(JSON markdown_error GET "${json}" output_errors 0)
string(JSON accuracy GET "${json}" accuracy mnist)
if(NOT markdown_error MATCHES "^--markdown ")
  message(FATAL_ERROR "late/out.json does not record the failed --markdown: ${markdown_error}")
endif()
