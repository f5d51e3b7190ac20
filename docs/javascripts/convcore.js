/* convcore: the explorer's arithmetic, a plain-JavaScript mirror of generator/core.py.

   Names follow generator/core.py one for one (output_size, corr2d, unrolled_matrix, ...), so the
   two can be read side by side; tests/test_explorer_core.py proves them equal in Chromium (every
   example of data/cards.json and thousands of random configurations against core.py itself).

   Arrays are nested lists of numbers, row-major, as in data/cards.json; a 2-D function takes a
   1-D signal as a single row. Parameters are {stride: [sh, sw], padding: [top, bottom, left,
   right], dilation: [dh, dw], output_padding: [ah, aw]} (core.ConvParams). Sums start at 0 and
   add products in the order of core.py, so integer inputs give exact integer results.

   globalThis.convcore.compute(example) takes an example laid out as in data/cards.json and
   returns {output, unrolled_matrix, shapes}; check(example, rules) lists what makes an example
   impossible, by the rules table the generator writes (data/rules.json, from generator/spec.py). */
(function (root) {
  "use strict";

  // ------------------------------------------------------------------------------- params

  function params(stride, padding, dilation, output_padding) {
    return {
      stride: stride || [1, 1],
      padding: padding || [0, 0, 0, 0],
      dilation: dilation || [1, 1],
      output_padding: output_padding || [0, 0]
    };
  }

  // ------------------------------------------------------------------------------- sizes

  function floor_div(a, b) { return Math.floor(a / b); }

  function output_size(i, k, s, p_lo, p_hi, d) {
    return floor_div(i + p_lo + p_hi - d * (k - 1) - 1, s) + 1;
  }

  function transposed_output_size(i, k, s, p_lo, p_hi, d, a) {
    return (i - 1) * s - p_lo - p_hi + d * (k - 1) + a + 1;
  }

  function effective_kernel_size(k, d) { return k + (k - 1) * (d - 1); }

  function output_shape(in_shape, k_shape, p) {
    return [
      output_size(in_shape[0], k_shape[0], p.stride[0], p.padding[0], p.padding[1], p.dilation[0]),
      output_size(in_shape[1], k_shape[1], p.stride[1], p.padding[2], p.padding[3], p.dilation[1])
    ];
  }

  function transposed_output_shape(in_shape, k_shape, p) {
    return [
      transposed_output_size(in_shape[0], k_shape[0], p.stride[0], p.padding[0], p.padding[1], p.dilation[0], p.output_padding[0]),
      transposed_output_size(in_shape[1], k_shape[1], p.stride[1], p.padding[2], p.padding[3], p.dilation[1], p.output_padding[1])
    ];
  }

  // ------------------------------------------------------------------------------- helpers

  function as_2d(a) { return Array.isArray(a[0]) ? a : [a]; }
  function shape(a) { return Array.isArray(a[0]) ? [a.length, a[0].length] : [a.length]; }
  function zeros(h, w) {
    var out = new Array(h);
    for (var r = 0; r < h; r++) { out[r] = new Array(w); for (var c = 0; c < w; c++) out[r][c] = 0; }
    return out;
  }
  function ravel(a) { return as_2d(a).reduce(function (acc, row) { return acc.concat(row); }, []); }
  function reshape(flat, h, w) {
    var out = new Array(h);
    for (var r = 0; r < h; r++) out[r] = flat.slice(r * w, (r + 1) * w);
    return out;
  }

  function flip(k) {
    if (!Array.isArray(k[0])) return k.slice().reverse();
    return k.slice().reverse().map(function (row) { return row.slice().reverse(); });
  }

  function pad(x, padding) {
    x = as_2d(x);
    var t = padding[0], b = padding[1], l = padding[2], r = padding[3];
    var h = x.length, w = x[0].length, out = zeros(h + t + b, w + l + r);
    for (var i = 0; i < h; i++) for (var j = 0; j < w; j++) out[i + t][j + l] = x[i][j];
    return out;
  }

  function dilate(k, dilation) {
    k = as_2d(k);
    var kh = k.length, kw = k[0].length, out = zeros(effective_kernel_size(kh, dilation[0]), effective_kernel_size(kw, dilation[1]));
    for (var a = 0; a < kh; a++) for (var b = 0; b < kw; b++) out[a * dilation[0]][b * dilation[1]] = k[a][b];
    return out;
  }

  function insert_zeros(y, stride) {
    y = as_2d(y);
    var h = y.length, w = y[0].length, out = zeros((h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1);
    for (var r = 0; r < h; r++) for (var c = 0; c < w; c++) out[r * stride[0]][c * stride[1]] = y[r][c];
    return out;
  }

  // ------------------------------------------------------------------------------- forward

  // y[r][c] = sum_ab k[a][b] x_pad[r s + a d][c s + b d], taps added in row-major order.
  function corr2d(x, k, p) {
    p = p || params();
    x = as_2d(x); k = as_2d(k);
    var o = output_shape([x.length, x[0].length], [k.length, k[0].length], p);
    if (o[0] < 1 || o[1] < 1) throw new ConvError("kernel", "a kernel that fits the padded input", "kernel [" + shape(k) + "]");
    var xp = pad(x, p.padding), out = zeros(o[0], o[1]);
    var sh = p.stride[0], sw = p.stride[1], dh = p.dilation[0], dw = p.dilation[1];
    for (var a = 0; a < k.length; a++) {
      for (var b = 0; b < k[0].length; b++) {
        var kv = k[a][b];
        for (var r = 0; r < o[0]; r++) {
          var row = xp[r * sh + a * dh], orow = out[r];
          for (var c = 0; c < o[1]; c++) orow[c] += kv * row[c * sw + b * dw];
        }
      }
    }
    return out;
  }

  function conv2d(x, k, p) { return corr2d(x, flip(as_2d(k)), p); }

  // The (padded) input cells under the kernel taps of each output position: [oh][ow][kh][kw].
  function windows(x, k_shape, p) {
    p = p || params();
    x = as_2d(x);
    var o = output_shape([x.length, x[0].length], k_shape, p), xp = pad(x, p.padding), out = [];
    for (var r = 0; r < o[0]; r++) {
      var orow = [];
      for (var c = 0; c < o[1]; c++) {
        var win = [];
        for (var a = 0; a < k_shape[0]; a++) {
          var wrow = [];
          for (var b = 0; b < k_shape[1]; b++) wrow.push(xp[r * p.stride[0] + a * p.dilation[0]][c * p.stride[1] + b * p.dilation[1]]);
          win.push(wrow);
        }
        orow.push(win);
      }
      out.push(orow);
    }
    return out;
  }

  // Sparse triplets of C: only taps landing on real input cells, in order of (output, tap).
  function unrolled_coo(in_shape, k, p) {
    p = p || params();
    k = as_2d(k);
    if (in_shape.length === 1) in_shape = [1, in_shape[0]];
    var h = in_shape[0], w = in_shape[1], kh = k.length, kw = k[0].length;
    var o = output_shape(in_shape, [kh, kw], p);
    if ((o[0] < 0 || o[1] < 0) && o[0] * o[1] !== 0) throw new ConvError("kernel", "a kernel that fits the padded input", "kernel [" + kh + "," + kw + "]");
    var oh = Math.max(o[0], 0), ow = Math.max(o[1], 0), rows = [], cols = [], values = [];
    for (var r = 0; r < oh; r++) {
      for (var c = 0; c < ow; c++) {
        for (var a = 0; a < kh; a++) {
          var i = r * p.stride[0] - p.padding[0] + a * p.dilation[0];
          if (i < 0 || i >= h) continue;
          for (var b = 0; b < kw; b++) {
            var j = c * p.stride[1] - p.padding[2] + b * p.dilation[1];
            if (j < 0 || j >= w) continue;
            rows.push(r * ow + c); cols.push(i * w + j); values.push(k[a][b]);
          }
        }
      }
    }
    return {rows: rows, cols: cols, values: values, shape: [oh * ow, h * w]};
  }

  // C with C @ ravel(x) == ravel(corr2d(x, k, p)).
  function unrolled_matrix(in_shape, k, p) {
    var coo = unrolled_coo(in_shape, k, p), C = zeros(coo.shape[0], coo.shape[1]);
    for (var n = 0; n < coo.rows.length; n++) C[coo.rows[n]][coo.cols[n]] = coo.values[n];
    return C;
  }

  // Column j is the (padded) window of output position j: shape [kh*kw][oh*ow].
  function im2col(x, k_shape, p) {
    var win = windows(x, k_shape, p), cols = [];
    for (var r = 0; r < win.length; r++) for (var c = 0; c < win[r].length; c++) cols.push(ravel(win[r][c]));
    var n = k_shape[0] * k_shape[1], out = zeros(n, cols.length);
    for (var j = 0; j < cols.length; j++) for (var t = 0; t < n; t++) out[t][j] = cols[j][t];
    return out;
  }

  function matvec(C, v) {
    var out = new Array(C.length);
    for (var r = 0; r < C.length; r++) {
      var s = 0, row = C[r];
      for (var c = 0; c < v.length; c++) s += row[c] * v[c];
      out[r] = s;
    }
    return out;
  }

  // C.T @ y: column sums weighted by y (rows of C in order).
  function matvec_transposed(C, y, n_cols) {
    var out = new Array(n_cols);
    for (var c = 0; c < n_cols; c++) out[c] = 0;
    for (var r = 0; r < y.length; r++) {
      var row = C[r], yr = y[r];
      for (var j = 0; j < n_cols; j++) out[j] += row[j] * yr;
    }
    return out;
  }

  // ------------------------------------------------------------------------------- transposed

  function transposed_via_matrix(y, k, p) {
    p = p || params();
    y = as_2d(y); k = as_2d(k);
    var out_shape = transposed_output_shape([y.length, y[0].length], [k.length, k[0].length], p);
    var C = unrolled_matrix(out_shape, k, p), fwd = output_shape(out_shape, [k.length, k[0].length], p);
    if (fwd[0] !== y.length || fwd[1] !== y[0].length) {
      // output_padding >= stride (allowed when < dilation): y feeds only the first outputs
      var keep = [];
      for (var r = 0; r < y.length; r++) for (var c = 0; c < y[0].length; c++) keep.push(C[r * fwd[1] + c]);
      C = keep;
    }
    return reshape(matvec_transposed(C, ravel(y), out_shape[0] * out_shape[1]), out_shape[0], out_shape[1]);
  }

  function transposed_scatter(y, k, p) {
    p = p || params();
    y = as_2d(y); k = as_2d(k);
    var kd = dilate(k, p.dilation), kh = kd.length, kw = kd[0].length, sh = p.stride[0], sw = p.stride[1];
    var h = y.length, w = y[0].length;
    var full = zeros((h - 1) * sh + kh + p.output_padding[0], (w - 1) * sw + kw + p.output_padding[1]);
    for (var r = 0; r < h; r++) for (var c = 0; c < w; c++) {
      for (var a = 0; a < kh; a++) for (var b = 0; b < kw; b++) full[r * sh + a][c * sw + b] += y[r][c] * kd[a][b];
    }
    var o = transposed_output_shape([h, w], [k.length, k[0].length], p);
    return crop_or_pad(full, p.padding[0], p.padding[2], o[0], o[1]);
  }

  function crop_or_pad(a, top, left, out_h, out_w) {
    var out = zeros(out_h, out_w);
    for (var r = 0; r < out_h; r++) for (var c = 0; c < out_w; c++) {
      var i = r + top, j = c + left;
      if (i >= 0 && i < a.length && j >= 0 && j < a[0].length) out[r][c] = a[i][j];
    }
    return out;
  }

  function zero_insertion_input(y, k_shape, p) {
    p = p || params();
    var z = insert_zeros(y, p.stride), kh = k_shape[0], kw = k_shape[1];
    var top = p.dilation[0] * (kh - 1) - p.padding[0], bottom = p.dilation[0] * (kh - 1) - p.padding[1] + p.output_padding[0];
    var left = p.dilation[1] * (kw - 1) - p.padding[2], right = p.dilation[1] * (kw - 1) - p.padding[3] + p.output_padding[1];
    return crop_or_pad(z, -top, -left, z.length + top + bottom, z[0].length + left + right);
  }

  function transposed_zero_insertion(y, k, p) {
    p = p || params();
    k = as_2d(k);
    var z = zero_insertion_input(y, [k.length, k[0].length], p);
    return corr2d(z, flip(k), params(null, null, p.dilation));
  }

  // ------------------------------------------------------------------------------- examples

  function ConvError(field, expected, received) {
    this.name = "ConvError";
    this.field = field; this.expected = expected; this.received = received;
    this.message = field + ": expected " + expected + ", but received " + received;
  }
  ConvError.prototype = Object.create(Error.prototype);
  ConvError.prototype.constructor = ConvError;

  // A cards.json example's parameters in core form; a 1-D example is one row (column entries only).
  function example_params(ex) {
    var pd = ex.padding, one_d = !Array.isArray(ex.arrays.input[0]);
    if (one_d) return params([1, ex.stride[1]], [0, 0, pd.left, pd.right], [1, ex.dilation[1]], [0, ex.output_padding[1]]);
    return params(ex.stride.slice(), [pd.top, pd.bottom, pd.left, pd.right], ex.dilation.slice(), ex.output_padding.slice());
  }

  // The kernel the correlation slides: flipped for a true convolution.
  function kernel_used(ex) { return ex.operation === "convolution" ? flip(ex.arrays.kernel) : ex.arrays.kernel; }

  // {output, unrolled_matrix, shapes} of an example, laid out as data/cards.json.
  function compute(ex) {
    var x = ex.arrays.input, k = ex.arrays.kernel, p = example_params(ex), one_d = !Array.isArray(x[0]);
    var x2 = as_2d(x), k2 = as_2d(k), output, fwd_in;
    if (ex.operation === "transposed_convolution") {
      output = transposed_via_matrix(x2, k2, p);
      fwd_in = [output.length, output[0].length];
    } else if (ex.operation === "cross_correlation" || ex.operation === "convolution") {
      output = corr2d(x2, kernel_used(ex), p);
      fwd_in = [x2.length, x2[0].length];
    } else {
      throw new ConvError("operation", "cross_correlation, convolution or transposed_convolution", ex.operation);
    }
    var C = unrolled_matrix(fwd_in, as_2d(kernel_used(ex)), p);
    if (one_d) output = output[0];
    return {
      output: output,
      unrolled_matrix: C,
      shapes: {input: shape(x), kernel: shape(k), output: shape(output), unrolled_matrix: [C.length, fwd_in[0] * fwd_in[1]]}
    };
  }

  // ------------------------------------------------------------------------------- rules

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, name) { return name in values ? String(values[name]) : m; });
  }

  function problem(rules, field, rule, values, received) {
    return {field: field, rule: rule, expected: fill(rules.messages[rule], values || {}), received: received};
  }

  function is_int(v) { return typeof v === "number" && Number.isInteger(v); }

  // What makes an example impossible, in the order generator/spec.py checks it (its first problem
  // decides, as there); [] when it can be computed. `limits` are the spec loader's or the page's.
  function check(ex, rules, limits) {
    var L = limits || rules.limits, out = [];
    if (rules.explorer_operations.indexOf(ex.operation) < 0) return [problem(rules, "operation", "operation", {operations: rules.explorer_operations.join(", ")}, ex.operation)];
    var arrays = ["input", "kernel"];
    for (var n = 0; n < 2; n++) {
      var a = ex.arrays[arrays[n]], flat = Array.isArray(a) && a.length ? (Array.isArray(a[0]) ? ravel(a) : a) : [];
      if (!flat.length || (Array.isArray(a[0]) && !a[0].length)) return [problem(rules, arrays[n], "empty", {}, "an empty array")];
      if (Array.isArray(a[0]) && a.some(function (row) { return !Array.isArray(row) || row.length !== a[0].length; })) return [problem(rules, arrays[n], "rectangular", {}, "a ragged array")];
      var bad = flat.filter(function (v) { return typeof v !== "number"; });
      if (bad.length) return [problem(rules, arrays[n], "numbers", {}, String(bad[0]))];
      bad = flat.filter(function (v) { return !isFinite(v); });
      if (bad.length) return [problem(rules, arrays[n], "finite", {}, String(bad[0]))];
      bad = flat.filter(function (v) { return Math.abs(v) > L.max_abs_value; });
      if (bad.length) return [problem(rules, arrays[n], "magnitude", {max: L.max_abs_value}, String(bad[0]))];
    }
    var given = {stride: ex.stride, padding: [ex.padding.top, ex.padding.bottom, ex.padding.left, ex.padding.right],
      dilation: ex.dilation, output_padding: ex.output_padding};
    var names = ["stride", "padding", "dilation", "output_padding"];
    for (var q = 0; q < names.length; q++) {
      var rule = rules.params[names[q]], lo = rule.lo, hi = L[rule.limit], vals = given[names[q]];
      if (!vals.every(is_int)) return [problem(rules, names[q], "whole", {what: rule.what, lo: lo, hi: hi}, "[" + vals + "]")];
      if (vals.some(function (v) { return v < lo || v > hi; })) return [problem(rules, names[q], "range", {lo: lo, hi: hi}, "[" + vals + "]")];
    }
    var x = ex.arrays.input, k = ex.arrays.kernel, xd = shape(x).length, kd = shape(k).length;
    if (xd === 1 && kd !== 1) return [problem(rules, "kernel", "kernel_1d", {}, kd + " dimensions")];
    if (xd === 2 && kd !== 2) return [problem(rules, "kernel", "kernel_2d", {}, kd + " dimensions")];
    var in_hw = xd === 1 ? [1, x.length] : shape(x), k_hw = kd === 1 ? [1, k.length] : shape(k);
    if (Math.max(in_hw[0], in_hw[1]) > L.max_side) return [problem(rules, "input", "input_side", {max: L.max_side}, "shape " + shape(x))];
    if (Math.max(k_hw[0], k_hw[1]) > L.max_kernel_side) return [problem(rules, "kernel", "kernel_side", {max: L.max_kernel_side}, "shape " + shape(k))];
    var raw = params(ex.stride, [ex.padding.top, ex.padding.bottom, ex.padding.left, ex.padding.right], ex.dilation, ex.output_padding);
    var axes = ["rows", "columns"];
    for (var axis = 0; axis < 2; axis++) {
      var s = raw.stride[axis], d = raw.dilation[axis], ap = raw.output_padding[axis];
      if (ap >= Math.max(s, d) && ap) return [problem(rules, "output_padding", "output_padding", {stride: s, dilation: d, axis: axes[axis]}, String(ap))];
    }
    var p = example_params(ex), fwd_in;
    if (ex.operation === "transposed_convolution") {
      var t = transposed_output_shape(in_hw, k_hw, p);
      if (t[0] < 1 || t[1] < 1) return [problem(rules, "padding", "transposed_fits", {}, "[" + raw.padding + "]")];
      fwd_in = t;
    } else {
      fwd_in = in_hw;
      var span = [effective_kernel_size(k_hw[0], p.dilation[0]), effective_kernel_size(k_hw[1], p.dilation[1])];
      var padded = [in_hw[0] + p.padding[0] + p.padding[1], in_hw[1] + p.padding[2] + p.padding[3]];
      if (span[0] > padded[0] || span[1] > padded[1]) {
        return [problem(rules, "kernel", "kernel_fits", {span_h: span[0], span_w: span[1], padded_h: padded[0], padded_w: padded[1]}, "shape " + shape(k))];
      }
    }
    var o = output_shape(fwd_in, k_hw, p), entries = o[0] * o[1] * fwd_in[0] * fwd_in[1];
    if (entries > L.max_matrix_entries) return [problem(rules, "input", "matrix_size", {max: L.max_matrix_entries}, (o[0] * o[1]) + "×" + (fwd_in[0] * fwd_in[1]))];
    return out;
  }

  root.convcore = {
    params: params, example_params: example_params, kernel_used: kernel_used,
    output_size: output_size, transposed_output_size: transposed_output_size, effective_kernel_size: effective_kernel_size,
    output_shape: output_shape, transposed_output_shape: transposed_output_shape,
    as_2d: as_2d, shape: shape, ravel: ravel, reshape: reshape, flip: flip, pad: pad, dilate: dilate, insert_zeros: insert_zeros,
    corr2d: corr2d, conv2d: conv2d, windows: windows, unrolled_coo: unrolled_coo, unrolled_matrix: unrolled_matrix, im2col: im2col,
    matvec: matvec, matvec_transposed: matvec_transposed, transposed_via_matrix: transposed_via_matrix, transposed_scatter: transposed_scatter,
    zero_insertion_input: zero_insertion_input, transposed_zero_insertion: transposed_zero_insertion,
    compute: compute, check: check, ConvError: ConvError
  };
})(typeof globalThis !== "undefined" ? globalThis : this);
