// SPDX-License-Identifier: MIT
// The umbrella header: everything somnus offers. Include the focused headers
// under somnus/<kind>/ instead to keep compile times down.
#pragma once

#include "core/combine.hpp"
#include "core/concepts.hpp"
#include "core/error.hpp"
#include "core/normal.hpp"
#include "core/normal_stream.hpp"
#include "core/parallel.hpp"
#include "core/params.hpp"
#include "core/random.hpp"
#include "core/simd.hpp"
#include "core/tensor.hpp"

#include "neuron/adex.hpp"
#include "neuron/conductance_lif.hpp"
#include "neuron/current_lif.hpp"
#include "neuron/integrate_and_fire.hpp"
#include "neuron/izhikevich.hpp"
#include "neuron/leaky.hpp"

#include "synapse/delay_ring.hpp"
#include "synapse/dense.hpp"
#include "synapse/fixed.hpp"
#include "synapse/rows.hpp"
#include "synapse/sparse.hpp"
#include "synapse/timed.hpp"
#include "synapse/traces.hpp"

#include "plasticity/diehl_cook_triplet.hpp"
#include "plasticity/last_spike_timing.hpp"
#include "plasticity/none.hpp"
#include "plasticity/pair_stdp.hpp"
#include "plasticity/power_law.hpp"

#include "homeostasis/adaptive_threshold.hpp"
#include "homeostasis/none.hpp"
#include "homeostasis/normalize_incoming.hpp"
#include "homeostasis/synaptic_scaling.hpp"

#include "sleep/drives.hpp"
#include "sleep/modulation.hpp"
#include "sleep/none.hpp"
#include "sleep/recipes.hpp"
#include "sleep/schedules.hpp"
#include "sleep/weights.hpp"

#include "entropy/function_space.hpp"
#include "entropy/histogram.hpp"
#include "entropy/miller_madow.hpp"
#include "entropy/mutual_information.hpp"
#include "entropy/plug_in.hpp"
#include "entropy/population.hpp"
#include "entropy/shuffle_test.hpp"
#include "entropy/spike_trains.hpp"

#include "encoding/poisson.hpp"
#include "encoding/replay.hpp"

#include "data/events.hpp"
#include "data/idx.hpp"
#include "data/mnist.hpp"
#include "data/nmnist.hpp"
#include "data/perturb.hpp"
#include "data/resize.hpp"
#include "data/saccade.hpp"
#include "data/tonic.hpp"

#include "io/checkpoint.hpp"

#include "network/checkpoints.hpp"
#include "network/competitive.hpp"
#include "network/evaluate.hpp"
#include "network/massey.hpp"
#include "network/parts.hpp"
#include "network/population.hpp"
#include "network/presentation.hpp"
#include "network/recurrent.hpp"
#include "network/sleep_phase.hpp"

#include "readout/assignment.hpp"
#include "readout/receptive_field.hpp"

#include "stats/correlation.hpp"
#include "stats/paired.hpp"
#include "stats/student_t.hpp"
#include "stats/summary.hpp"
