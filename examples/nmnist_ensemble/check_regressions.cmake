# SPDX-License-Identifier: MIT
# Regression checks of issue 23, one per ctest entry (CASE names the defect),
# on a tiny N-MNIST-format set make_nmnist synthesises (40 training and 12
# test recordings, every label 3):
#   nmnist_ensemble_resume_keeps_losses_and_epoch_tests: a resumed run's JSON
#     equals an uninterrupted one's in every field but timings (losses and
#     the --epoch-tests curve included);
#   nmnist_ensemble_resume_refuses_other_data: checkpoints of other
#     recordings with the same counts are refused, naming the file;
#   nmnist_ensemble_checkpoint_values_validated: crafted member checkpoints
#     with a valid CRC (a class of 999 or 2^40, NaN seconds, a negative loss,
#     an infinite parameter, another model version or network, an old
#     format) exit 2 naming the file and the problem;
#   nmnist_ensemble_long_recording_bounded, sleep_regularisation_long_recording_bounded:
#     a 5 KB recording spanning 70 minutes, and one of 2 s, are refused
#     (exit 2 naming the file and --max-frames) before any training; the
#     flag raises the bound and is itself bounded;
#   nmnist_folder_other_class_folders_reported: a class folder other than
#     0..9 (07, 10) is an error naming it.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)
set(EXPECT_TIMEOUT 120)

function(make_set dir seed)
  execute_process(COMMAND ${EXAMPLES}/make_nmnist --data ${WORK}/mnist --out ${dir} --limit 40 --threads 2 --seed ${seed}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "make_nmnist failed: ${err}")
  endif()
endfunction()
write_mnist(${WORK}/mnist train 40 28 28)
write_mnist(${WORK}/mnist t10k 12 28 28)
make_set(${WORK}/nm 0)

# The text of a result file without its timing fields, "resumed" and the
# JSON's name in its arrays' file names.
function(results_of file out)
  file(READ ${file} text)
  string(REGEX REPLACE "\"[a-z_]*(seconds|threads)[a-z_]*\": [-+.e0-9]+" "" text "${text}")
  string(REGEX REPLACE "\"file\": \"[a-z0-9]+\\." "\"file\": \"" text "${text}")  # the arrays' files are named after the JSON
  string(REGEX REPLACE "\"resumed\": (true|false)" "" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# An N-MNIST recording (5 bytes an event, octal escapes for printf).
function(write_recording path events)
  execute_process(COMMAND sh -c "printf '${events}'" OUTPUT_FILE ${path} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write ${path}")
  endif()
endfunction()

if(CASE STREQUAL "nmnist_ensemble_resume_keeps_losses_and_epoch_tests")
  # Small enough for the sanitizer build: 2 members x 2 epochs of 2 batches.
  set(EXPECT_TIMEOUT 300)
  set(run --data ${WORK}/nm --members 2 --train-per-member 8 --batch 4 --test 12 --epochs 2 --epoch-tests --threads 2)
  expect(0 "" ${run} --json ${WORK}/whole.json)
  expect(0 "" ${run} --json ${WORK}/first.json --checkpoints ${WORK}/ckpt)
  expect(0 "" ${run} --json ${WORK}/resumed.json --checkpoints ${WORK}/ckpt)
  file(READ ${WORK}/resumed.json raw)
  string(FIND "${raw}" "\"resumed\": true" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "nmnist_ensemble: the second run did not resume from ${WORK}/ckpt")
  endif()
  string(FIND "${raw}" "\"test_accuracy_after_each_epoch\": []" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "nmnist_ensemble: ${WORK}/resumed.json has no --epoch-tests curve")
  endif()
  results_of(${WORK}/whole.json whole)
  results_of(${WORK}/resumed.json resumed)
  if(NOT whole STREQUAL resumed)
    message(FATAL_ERROR "nmnist_ensemble: the resumed run differs from an uninterrupted one (${WORK}/whole.json, resumed.json)")
  endif()

elseif(CASE STREQUAL "nmnist_ensemble_resume_refuses_other_data")
  # Other recordings of the same images, counts and names (another sensor seed).
  make_set(${WORK}/other 1)
  set(run --members 1 --train-per-member 8 --batch 8 --test 12 --threads 2 --checkpoints ${WORK}/ckpt)
  expect(0 "" --data ${WORK}/nm ${run})
  expect(2 "member_0.ckpt;other data" --data ${WORK}/other ${run})
  # The checkpoint still resumes on its own data.
  expect(0 "" --data ${WORK}/nm ${run} --json ${WORK}/again.json)
  file(READ ${WORK}/again.json raw)
  string(FIND "${raw}" "\"resumed\": true" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "nmnist_ensemble: the run on the same data did not resume")
  endif()

elseif(CASE STREQUAL "nmnist_ensemble_checkpoint_values_validated")
  set(run --data ${WORK}/nm --members 1 --train-per-member 8 --batch 4 --epochs 2 --test 12 --threads 2)
  expect(0 "" ${run} --checkpoints ${WORK}/good)
  set(good ${WORK}/good/member_0.ckpt)
  # section|index|value|needles (comma-separated)
  set(crafted
      "predictions|3|999|predictions,999"
      "predictions|0|1099511627776|predictions,1099511627776"
      "seconds|0|nan|seconds,nan"
      "seconds|1|-1|seconds"
      "losses|1|nan|losses,nan"
      "losses|0|-2|losses"
      "parameters|5|inf|parameters,inf"
      "model_version|0|7|model_version,7"
      "model|0|input = 1x34x34|another configuration,input")
  set(k 0)
  foreach(c IN LISTS crafted)
    string(REPLACE "|" ";" parts "${c}")
    list(GET parts 0 section)
    list(GET parts 1 index)
    list(GET parts 2 value)
    list(GET parts 3 needles)
    string(REPLACE "," ";" needles "${needles}")
    file(MAKE_DIRECTORY ${WORK}/c${k})
    execute_process(COMMAND ${TAMPER} ${good} ${WORK}/c${k}/member_0.ckpt ${section} ${index} ${value} RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nmnist_ensemble_tamper failed: ${err}")
    endif()
    expect(2 "member_0.ckpt;${needles}" ${run} --checkpoints ${WORK}/c${k})
    math(EXPR k "${k} + 1")
  endforeach()
  # A checkpoint of an earlier format (1, or 2: parameters without the
  # network's configuration) is refused as written by an older somnus, to
  # be deleted; one of an unknown format as such.
  foreach(v 1 2 4)
    file(MAKE_DIRECTORY ${WORK}/v${v})
    execute_process(COMMAND ${TAMPER} ${good} ${WORK}/v${v}/member_0.ckpt config 0 "gupta_2024_ensemble v${v}; seed 0" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nmnist_ensemble_tamper failed on config v${v}")
    endif()
  endforeach()
  expect(2 "member_0.ckpt;gupta_2024_ensemble v1;older somnus;delete it" ${run} --checkpoints ${WORK}/v1)
  expect(2 "member_0.ckpt;gupta_2024_ensemble v2;older somnus;delete it" ${run} --checkpoints ${WORK}/v2)
  expect(2 "member_0.ckpt;gupta_2024_ensemble v4;reads v3" ${run} --checkpoints ${WORK}/v4)

elseif(CASE MATCHES "_long_recording_bounded$")
  # 70 minutes in 5 KB: two neighbouring events at 0 (kept by the denoise
  # filters), 500 pairs at pixel (5, 5) whose 23-bit timestamps wrap around
  # (0x400001 then 0), and two neighbouring events at the end.
  set(long "\\001\\001\\000\\000\\000\\002\\001\\000\\000\\000")
  foreach(i RANGE 1 500)
    string(APPEND long "\\005\\005\\100\\000\\001\\005\\005\\000\\000\\000")
  endforeach()
  string(APPEND long "\\001\\001\\000\\000\\001\\002\\001\\000\\000\\002")
  # 2 s: the same start, then two neighbouring events at 2 000 000 us.
  set(two "\\001\\001\\000\\000\\000\\002\\001\\000\\000\\000\\001\\001\\036\\204\\200\\002\\001\\036\\204\\201")
  foreach(what long two)
    file(COPY ${WORK}/nm/ DESTINATION ${WORK}/${what})
    write_recording(${WORK}/${what}/Test/3/00001.bin "${${what}}")
  endforeach()
  file(SIZE ${WORK}/long/Test/3/00001.bin bytes)
  if(NOT bytes EQUAL 5020)
    message(FATAL_ERROR "the long recording has ${bytes} bytes, expected 5020")
  endif()
  if(CASE STREQUAL "nmnist_ensemble_long_recording_bounded")
    set(run --members 1 --train-per-member 8 --batch 8 --test 12 --threads 2)
    set(EXPECT_TIMEOUT 60)
    expect(2 "00001.bin;--max-frames" --data ${WORK}/long ${run})
    expect(2 "00001.bin;--max-frames;2000 frames" --data ${WORK}/two ${run})
    expect(2 "00001.bin;--max-frames" --data ${WORK}/long ${run} --frames somnus)
    expect(2 "--max-frames" --data ${WORK}/two ${run} --max-frames 10001)
    expect(2 "--max-frames" --data ${WORK}/two ${run} --max-frames 0)
    expect(0 "" --data ${WORK}/two ${run} --max-frames 2100)
    # A long training recording is refused too (member 0's part is every recording).
    file(COPY ${WORK}/nm/ DESTINATION ${WORK}/train-long)
    write_recording(${WORK}/train-long/Train/3/00001.bin "${long}")
    expect(2 "00001.bin;--max-frames" --data ${WORK}/train-long --members 1 --batch 8 --test 12 --threads 2)
  else()
    set(run --protocol ours --part sg --nmnist ${WORK}/long --sg-train 8 --sg-test 12 --sg-epochs 1 --seeds 1 --fractions 0
            --no-forgetting --threads 2)
    set(EXPECT_TIMEOUT 60)
    expect(2 "00001.bin;--max-frames" ${run})
    expect(2 "--max-frames" ${run} --max-frames 0)
    expect(2 "--max-frames" ${run} --max-frames 10001)
  endif()

elseif(CASE STREQUAL "nmnist_folder_other_class_folders_reported")
  foreach(bad 07 10)
    file(REMOVE_RECURSE ${WORK}/d${bad})
    file(COPY ${WORK}/nm/ DESTINATION ${WORK}/d${bad})
    file(MAKE_DIRECTORY ${WORK}/d${bad}/Train/${bad})
    file(RENAME ${WORK}/d${bad}/Train/3/00001.bin ${WORK}/d${bad}/Train/${bad}/00001.bin)
    expect(2 "Train/${bad};not a class folder" --data ${WORK}/d${bad} --members 1 --test 12)
  endforeach()

else()
  message(FATAL_ERROR "check_regressions.cmake: unknown CASE '${CASE}'")
endif()
