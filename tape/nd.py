"""The `nd` namespace: array creation and every op, as `mxnet.nd` offers them.

Built from the op modules' own `__all__` lists, so that a new op is public once its module
lists it. Every name is a real function (or an alias of one), visible to type checkers and
documentation tools.
"""

# ruff: noqa: F403 - the star imports below are the op modules' public lists, by design
from __future__ import annotations

from . import creation as _creation
from . import random
from . import serialization as _serialization
from .creation import *
from .ndarray import NDArray
from .ops import arith as _arith
from .ops import conv as _conv
from .ops import ctc as _ctc
from .ops import deconv as _deconv
from .ops import densities as _densities
from .ops import elementwise as _elementwise
from .ops import exchange as _exchange
from .ops import indexing as _indexing
from .ops import join as _join
from .ops import la as linalg
from .ops import layers as _layers
from .ops import layout as _layout
from .ops import legacy as _legacy
from .ops import linalg as _linalg
from .ops import logical as _logical
from .ops import misc as _misc
from .ops import nn as _nn
from .ops import norms as _norms
from .ops import reduction as _reduction
from .ops import rnn as _rnn
from .ops import samples as _samples
from .ops import sampling as _sampling
from .ops import select as _select
from .ops import sequence as _sequence
from .ops import shape as _shape
from .ops import special as _special
from .ops import stats as _stats
from .ops import trig as _trig
from .ops import updates as _updates
from .ops import vision as _vision
from .ops.arith import *
from .ops.conv import *
from .ops.ctc import *
from .ops.deconv import *
from .ops.densities import *
from .ops.elementwise import *
from .ops.exchange import *
from .ops.indexing import *
from .ops.join import *
from .ops.layers import *
from .ops.layout import *
from .ops.legacy import *
from .ops.linalg import *
from .ops.logical import *
from .ops.misc import *
from .ops.nn import *
from .ops.norms import *
from .ops.reduction import *
from .ops.rnn import *
from .ops.samples import *
from .ops.sampling import *
from .ops.select import *
from .ops.sequence import *
from .ops.shape import *
from .ops.special import *
from .ops.stats import *
from .ops.trig import *
from .ops.updates import *
from .ops.vision import *
from .serialization import *

# MXNet's other names for the same ops.
BlockGrad = _shape.stop_gradient
Cast = _shape.cast
Concat = _join.concat
Flatten = _shape.flatten
SliceChannel = _join.split
ElementWiseSum = _arith.add_n
broadcast_axes = _shape.broadcast_axis
sum_axis = _reduction.sum
max_axis = _reduction.max
min_axis = _reduction.min
broadcast_add = broadcast_plus = _arith.add
broadcast_sub = broadcast_minus = _arith.subtract
broadcast_mul = _arith.multiply
broadcast_div = _arith.divide
broadcast_mod = _arith.modulo
broadcast_power = _arith.power
broadcast_maximum = _arith.maximum
broadcast_minimum = _arith.minimum
broadcast_equal = _arith.equal
broadcast_not_equal = _arith.not_equal
broadcast_greater = _arith.greater
broadcast_greater_equal = _arith.greater_equal
broadcast_lesser = _arith.lesser
broadcast_lesser_equal = _arith.lesser_equal
random_normal = normal = random.normal
random_uniform = uniform = random.uniform
Reshape = _shape.reshape
# MXNet's other names for ops of misc, logical and arith, of nd.random, and its deprecated ones.
broadcast_logical_and = _logical.logical_and
broadcast_logical_or = _logical.logical_or
broadcast_logical_xor = _logical.logical_xor
true_divide = _arith.divide
random_gamma = random.gamma
random_poisson = random.poisson
random_randint = random.randint
random_negative_binomial = random.negative_binomial
random_generalized_negative_binomial = random.generalized_negative_binomial
sample_multinomial = random.multinomial
Convolution_v1 = _conv.Convolution
Pad = _layout.pad
crop = _join.slice
choose_element_0index = _indexing.pick
SwapAxis = _shape.swapaxes
# nd.linalg's ops under MXNet's flat names.
linalg_gemm = linalg.gemm
linalg_gemm2 = linalg.gemm2
linalg_potrf = linalg.potrf
linalg_potri = linalg.potri
linalg_trsm = linalg.trsm
linalg_trmm = linalg.trmm
linalg_syrk = linalg.syrk
linalg_sumlogdiag = linalg.sumlogdiag
linalg_inverse = linalg.inverse
linalg_det = linalg.det
linalg_slogdet = linalg.slogdet
linalg_extractdiag = linalg.extractdiag
linalg_makediag = linalg.makediag
linalg_extracttrian = linalg.extracttrian
linalg_maketrian = linalg.maketrian
linalg_gelqf = linalg.gelqf

__all__ = ["NDArray", "random"]
__all__ += _creation.__all__
__all__ += _arith.__all__
__all__ += _elementwise.__all__
__all__ += _trig.__all__
__all__ += _special.__all__
__all__ += _reduction.__all__
__all__ += _shape.__all__
__all__ += _join.__all__
__all__ += _indexing.__all__
__all__ += _linalg.__all__
__all__ += _nn.__all__
__all__ += _select.__all__
__all__ += _layout.__all__
__all__ += _logical.__all__
__all__ += _conv.__all__
__all__ += _layers.__all__
__all__ += _updates.__all__
__all__ += _deconv.__all__
__all__ += _vision.__all__
__all__ += _sampling.__all__
__all__ += _norms.__all__
__all__ += _sequence.__all__
__all__ += _ctc.__all__
__all__ += _rnn.__all__
__all__ += _serialization.__all__
__all__ += _misc.__all__
__all__ += _stats.__all__
__all__ += _densities.__all__
__all__ += _samples.__all__
__all__ += _legacy.__all__
__all__ += _exchange.__all__
__all__ += [
    "broadcast_logical_and", "broadcast_logical_or", "broadcast_logical_xor", "true_divide", "random_gamma",
    "random_poisson", "random_randint", "random_negative_binomial", "random_generalized_negative_binomial",
    "sample_multinomial", "Convolution_v1", "Pad", "crop", "choose_element_0index",
]  # fmt: skip
__all__ += [
    "BlockGrad", "Cast", "Concat", "Flatten", "SliceChannel", "ElementWiseSum", "broadcast_axes",
    "sum_axis", "max_axis", "min_axis", "broadcast_add", "broadcast_plus", "broadcast_sub",
    "broadcast_minus", "broadcast_mul", "broadcast_div", "broadcast_mod", "broadcast_power",
    "broadcast_maximum", "broadcast_minimum", "broadcast_equal", "broadcast_not_equal",
    "broadcast_greater", "broadcast_greater_equal", "broadcast_lesser", "broadcast_lesser_equal",
    "random_normal", "random_uniform", "normal", "uniform", "Reshape", "SwapAxis",
]  # fmt: skip
__all__ += [
    "linalg", "linalg_gemm", "linalg_gemm2", "linalg_potrf", "linalg_potri", "linalg_trsm", "linalg_trmm",
    "linalg_syrk", "linalg_sumlogdiag", "linalg_inverse", "linalg_det", "linalg_slogdet",
    "linalg_extractdiag", "linalg_makediag", "linalg_extracttrian", "linalg_maketrian", "linalg_gelqf",
]  # fmt: skip
