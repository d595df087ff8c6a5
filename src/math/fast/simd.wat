;; The fast path's inner loops in WebAssembly SIMD (128-bit lanes: two float64 per v128).
;; scripts/build-wasm.mjs compiles this file into _simd-bytes.ts (npm run build:wasm); simd.ts loads it.
;;
;; Same numbers as the JavaScript loops and mathjs, bit for bit (test/math/fast/simd.test.ts):
;;   - matmulTransB: every output entry is its own lane, summing p = 0, 1, …, k−1 in order from 0 with a multiply
;;     then an add (no fused multiply-add); the SIMD runs across output columns, never across p;
;;   - softmaxRows: the steps of softmaxRows (softmax.ts) in its order; exp is fdlibm's algorithm, the one behind
;;     V8's Math.exp, operation for operation (its branches become lane selects); the row sum runs in order.
;;
;; Addresses are byte offsets into the module's memory; strides (ld…) count float64 entries; row-major throughout.

(module
  (memory (export "memory") 1)

  ;; C = A·Bᵀ: A (n, k) rows lda apart, Bᵀ (m, k) rows ldb apart (row j holds column j of B), C (n, m) rows ldc
  ;; apart; n and m multiples of 4 (the caller pads with zero rows). Register block: 4 rows × 4 columns = 8 v128
  ;; accumulators. Per step of p: one splat of A[i, p] per row, and the vectors (B[p, j], B[p, j+1]) and
  ;; (B[p, j+2], B[p, j+3]), each gathered from two rows of Bᵀ.
  (func (export "matmulTransB")
    (param $a i32) (param $lda i32) (param $bt i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $rowA i32) (local $rowB i32) (local $rowC i32)   ;; the strides in bytes
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $rowA (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $rowB (i32.shl (local.get $ldb) (i32.const 3)))
    (local.set $rowC (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
        (local.set $s20 (v128.const f64x2 0 0)) (local.set $s21 (v128.const f64x2 0 0))
        (local.set $s30 (v128.const f64x2 0 0)) (local.set $s31 (v128.const f64x2 0 0))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowA))))   ;; &A[i, 0]
        (local.set $pb (i32.add (local.get $bt) (i32.mul (local.get $j) (local.get $rowB))))  ;; &Bᵀ[j, 0]
        (local.set $p (local.get $k))
        (block $pDone (loop $steps
          (br_if $pDone (i32.eqz (local.get $p)))
          (local.set $b0 (v128.load64_lane 1 (i32.add (local.get $pb) (local.get $rowB))                       ;; Bᵀ[j+1, p]
            (v128.load64_splat (local.get $pb))))                                                              ;; Bᵀ[j, p]
          (local.set $b1 (v128.load64_lane 1 (i32.add (local.get $pb) (i32.mul (local.get $rowB) (i32.const 3)))  ;; Bᵀ[j+3, p]
            (v128.load64_splat (i32.add (local.get $pb) (i32.shl (local.get $rowB) (i32.const 1))))))       ;; Bᵀ[j+2, p]
          (local.set $x (v128.load64_splat (local.get $pa)))                                                ;; A[i, p] twice
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (i32.add (local.get $pa) (local.get $rowA))))                     ;; A[i+1, p]
          (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (i32.add (local.get $pa) (i32.shl (local.get $rowA) (i32.const 1)))))  ;; A[i+2, p]
          (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (i32.add (local.get $pa) (i32.mul (local.get $rowA) (i32.const 3)))))  ;; A[i+3, p]
          (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 8)))      ;; next p: one column on in A and Bᵀ
          (local.set $pb (i32.add (local.get $pb) (i32.const 8)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br $steps)))
        (local.set $pc (i32.add (local.get $c)
          (i32.add (i32.mul (local.get $i) (local.get $rowC)) (i32.shl (local.get $j) (i32.const 3)))))  ;; &C[i, j]
        (v128.store (local.get $pc) (local.get $s00))
        (v128.store offset=16 (local.get $pc) (local.get $s01))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (v128.store (local.get $pc) (local.get $s10))
        (v128.store offset=16 (local.get $pc) (local.get $s11))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (v128.store (local.get $pc) (local.get $s20))
        (v128.store offset=16 (local.get $pc) (local.get $s21))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (v128.store (local.get $pc) (local.get $s30))
        (v128.store offset=16 (local.get $pc) (local.get $s31))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows)))
  )

  ;; exp(x) in both lanes, for x ≤ 0 or −Infinity (a softmax's x − max): fdlibm's __ieee754_exp step for step.
  ;;   exp(x) = 2^k · exp(r),  x = k·ln2 + r,  |r| ≤ ln2/2 (r = hi − lo, ln2 split in two so k·ln2HI is exact)
  ;;   exp(r) = 1 − ((lo − r·c/(2 − c)) − hi),  c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
  ;; fdlibm's branches on the high word of |x| are compares on |x| with the same boundaries (the i64x2 constants).
  ;; exp's constants (fdlibm's values) and the softmax's, in both lanes; globals, because V8 loads a global where it
  ;; rebuilds a v128.const at every use
  (global $INVLN2 v128 (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))  ;; 1/ln2
  (global $LN2HI v128 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))  ;; ln2's high 32 bits: k·ln2HI is exact
  (global $LN2LO v128 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))  ;; ln2 − ln2HI
  (global $MINUS_LN2HI v128 (v128.const f64x2 -6.93147180369123816490e-01 -6.93147180369123816490e-01))
  (global $MINUS_LN2LO v128 (v128.const f64x2 -1.90821492927058770002e-10 -1.90821492927058770002e-10))
  (global $P1 v128 (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))
  (global $P2 v128 (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))
  (global $P3 v128 (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))
  (global $P4 v128 (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))
  (global $P5 v128 (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))
  (global $HALF_LN2 v128 (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000))  ;; the first |x| with hx > 0x3fd62e42 (|x| > ln2/2)
  (global $ONE_HALF_LN2 v128 (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000))  ;; hx < 0x3ff0a2b2: |x| < 1.5·ln2
  (global $TINY v128 (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))  ;; 2^−28: hx < 0x3e300000
  (global $U_THRESHOLD v128 (v128.const f64x2 -7.45133219101941108420e+02 -7.45133219101941108420e+02))  ;; below it exp underflows to 0
  (global $TWOM1000 v128 (v128.const f64x2 9.33263618503218878990e-302 9.33263618503218878990e-302))  ;; 2^−1000
  (global $MINUS_HALF v128 (v128.const f64x2 -0.5 -0.5))  ;; −0.5: fdlibm's halF[1]
  (global $MINUS_ONE v128 (v128.const f64x2 -1 -1))  ;; k = −1
  (global $K_MIN v128 (v128.const f64x2 -1021 -1021))  ;; the smallest k scaled in one step
  (global $THOUSAND v128 (v128.const f64x2 1000 1000))
  (global $BIAS v128 (v128.const i64x2 1023 1023))  ;; the float64 exponent bias, as i64 lanes
  (global $ZERO v128 (v128.const f64x2 0 0))
  (global $INF v128 (v128.const f64x2 inf inf))
  (global $ONE v128 (v128.const f64x2 1 1))
  (global $TWO v128 (v128.const f64x2 2 2))

  (func $exp (param $x v128) (result v128)
    (local $ax v128) (local $big v128) (local $mid v128) (local $tiny v128) (local $under v128) (local $sub v128)
    (local $t v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128) (local $rr v128) (local $c v128)
    (local $y0 v128) (local $y1 v128)
    (local.set $ax (f64x2.abs (local.get $x)))
    (local.set $big (f64x2.ge (local.get $ax) (global.get $HALF_LN2)))  ;; hx > 0x3fd62e42: |x| > ln2/2
    (local.set $mid (f64x2.lt (local.get $ax) (global.get $ONE_HALF_LN2)))  ;; hx < 0x3ff0a2b2: |x| < 1.5·ln2
    (local.set $tiny (f64x2.lt (local.get $ax) (global.get $TINY))) ;; hx < 0x3e300000: |x| < 2^−28
    (local.set $under (f64x2.lt (local.get $x) (global.get $U_THRESHOLD)))  ;; and −Infinity
    ;; k = (int)(invln2·x + (−0.5)) for x < 0, as a float64; t·ln2HI is exact
    (local.set $t (f64x2.trunc (f64x2.add
      (f64x2.mul (global.get $INVLN2) (local.get $x))
      (global.get $MINUS_HALF))))
    (local.set $hi (f64x2.sub (local.get $x)
      (f64x2.mul (local.get $t) (global.get $LN2HI))))
    (local.set $lo (f64x2.mul (local.get $t) (global.get $LN2LO)))
    ;; ln2/2 < |x| < 1.5·ln2: k = −1, hi = x − (−ln2HI), lo = −ln2LO
    (local.set $k (v128.bitselect (global.get $MINUS_ONE) (local.get $t) (local.get $mid)))
    (local.set $hi (v128.bitselect
      (f64x2.sub (local.get $x) (global.get $MINUS_LN2HI))
      (local.get $hi) (local.get $mid)))
    (local.set $lo (v128.bitselect
      (global.get $MINUS_LN2LO) (local.get $lo) (local.get $mid)))
    (local.set $r (v128.bitselect (f64x2.sub (local.get $hi) (local.get $lo)) (local.get $x) (local.get $big)))
    (local.set $rr (f64x2.mul (local.get $r) (local.get $r)))
    ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5)))), innermost first
    (local.set $c (f64x2.mul (local.get $rr) (global.get $P5)))
    (local.set $c (f64x2.mul (local.get $rr)
      (f64x2.add (global.get $P4) (local.get $c))))
    (local.set $c (f64x2.mul (local.get $rr)
      (f64x2.add (global.get $P3) (local.get $c))))
    (local.set $c (f64x2.mul (local.get $rr)
      (f64x2.add (global.get $P2) (local.get $c))))
    (local.set $c (f64x2.mul (local.get $rr)
      (f64x2.add (global.get $P1) (local.get $c))))
    (local.set $c (f64x2.sub (local.get $r) (local.get $c)))
    ;; k = 0 (|x| ≤ ln2/2): 1 − ((r·c)/(c − 2) − r)
    (local.set $y0 (f64x2.sub (global.get $ONE) (f64x2.sub
      (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $c) (global.get $TWO)))
      (local.get $r))))
    ;; k ≠ 0: 1 − ((lo − (r·c)/(2 − c)) − hi), times 2^k, or times 2^(k+1000)·2^−1000 when k < −1021
    (local.set $y1 (f64x2.sub (global.get $ONE) (f64x2.sub (f64x2.sub (local.get $lo)
      (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (global.get $TWO) (local.get $c))))
      (local.get $hi))))
    (local.set $sub (f64x2.lt (local.get $k) (global.get $K_MIN)))
    (local.set $k (v128.bitselect (f64x2.add (local.get $k) (global.get $THOUSAND)) (local.get $k) (local.get $sub)))
    (local.set $y1 (f64x2.mul (local.get $y1)
      (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k)))
        (global.get $BIAS)) (i32.const 52))))                                                  ;; the bits of 2^k
    (local.set $y1 (v128.bitselect
      (f64x2.mul (local.get $y1) (global.get $TWOM1000))  ;; 2^−1000
      (local.get $y1) (local.get $sub)))
    (v128.bitselect (global.get $ZERO)
      (v128.bitselect (f64x2.add (global.get $ONE) (local.get $x))
        (v128.bitselect (local.get $y1) (local.get $y0) (local.get $big))
        (local.get $tiny))
      (local.get $under))
  )

  ;; exp of `count` numbers at src into dst (count even), for x ≤ 0: the test of $exp against Math.exp.
  (func (export "expNonPositive") (param $src i32) (param $dst i32) (param $count i32)
    (block $done (loop $each
      (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
      (v128.store (local.get $dst) (call $exp (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $count (i32.sub (local.get $count) (i32.const 2)))
      (br $each)))
  )

;; Softmax of the scaled, masked scores of `rows` rows, as the fast forward defines it:
  ;;   u = s / √dK (+ M[i, j] when hasMask),  w = exp(u − max u) / Σ_j exp(u_j − max u)  (a row of all −∞: zeros)
  ;; S (rows, cols) rows lds apart; M rows ldm apart; W rows ldw apart, ldw ≥ cols rounded up to even (an odd row's
  ;; last pair holds one padding entry, set to −∞). Returns 0,
  ;; or 1 when a score is not finite, or 2 when a masked score is NaN or +∞: then the caller redoes the head with
  ;; its own checks, which name the entry in the error.
  (func (export "softmaxRows")
    (param $s i32) (param $lds i32) (param $w i32) (param $ldw i32) (param $rows i32) (param $cols i32)
    (param $sqrtDK f64) (param $hasMask i32) (param $mask i32) (param $ldm i32) (result i32)
    (local $i i32) (local $j i32) (local $ps i32) (local $pw i32) (local $pm i32) (local $full i32) (local $end i32)
    (local $d v128) (local $u v128) (local $e v128) (local $bad v128) (local $badMask v128) (local $vmax v128)
    (local $x f64) (local $max f64) (local $sum f64)
    (local.set $d (f64x2.splat (local.get $sqrtDK)))
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $eachRow
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $ps (i32.add (local.get $s) (i32.shl (i32.mul (local.get $i) (local.get $lds)) (i32.const 3))))
      (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $i) (local.get $ldw)) (i32.const 3))))
      (local.set $pm (i32.add (local.get $mask) (i32.shl (i32.mul (local.get $i) (local.get $ldm)) (i32.const 3))))
      (local.set $full (i32.add (local.get $pw) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3))))  ;; past the last full pair
      (local.set $end (i32.add (local.get $pw)
        (i32.shl (i32.and (i32.add (local.get $cols) (i32.const 1)) (i32.const -2)) (i32.const 3))))  ;; past the last pair
      ;; 1) u = s / √dK (+ m), and its max; flags: s − s ≠ 0 (±∞, NaN); u NaN or +∞
      (local.set $bad (v128.const i64x2 0 0))
      (local.set $badMask (v128.const i64x2 0 0))
      (local.set $vmax (v128.const f64x2 -inf -inf))
      (local.set $j (local.get $pw))
      (block $uDone (loop $eachU
        (br_if $uDone (i32.ge_u (local.get $j) (local.get $full)))
        (local.set $u (v128.load (local.get $ps)))
        (local.set $bad (v128.or (local.get $bad) (f64x2.ne (f64x2.sub (local.get $u) (local.get $u)) (global.get $ZERO))))
        (local.set $u (f64x2.div (local.get $u) (local.get $d)))
        (if (local.get $hasMask) (then
          (local.set $u (f64x2.add (local.get $u) (v128.load (local.get $pm))))
          (local.set $pm (i32.add (local.get $pm) (i32.const 16)))))
        (local.set $badMask (v128.or (local.get $badMask) (v128.or
          (f64x2.ne (local.get $u) (local.get $u)) (f64x2.eq (local.get $u) (global.get $INF)))))
        (v128.store (local.get $j) (local.get $u))
        (local.set $vmax (f64x2.max (local.get $vmax) (local.get $u)))
        (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $eachU)))
      (local.set $max (f64.max (f64x2.extract_lane 0 (local.get $vmax)) (f64x2.extract_lane 1 (local.get $vmax))))
      ;; an odd row's last entry on its own; the padding entry after it becomes −∞ (out of the sum: exp(−∞) = 0)
      (if (i32.and (local.get $cols) (i32.const 1)) (then
        (local.set $x (f64.load (local.get $ps)))
        (local.set $bad (v128.or (local.get $bad) (i64x2.splat (i64.extend_i32_u (f64.ne (f64.sub (local.get $x) (local.get $x)) (f64.const 0))))))
        (local.set $x (f64.div (local.get $x) (local.get $sqrtDK)))
        (if (local.get $hasMask) (then (local.set $x (f64.add (local.get $x) (f64.load (local.get $pm))))))
        (local.set $badMask (v128.or (local.get $badMask) (i64x2.splat
          (i64.extend_i32_u (i32.or (f64.ne (local.get $x) (local.get $x)) (f64.eq (local.get $x) (f64.const inf)))))))
        (f64.store (local.get $full) (local.get $x))
        (f64.store offset=8 (local.get $full) (f64.const -inf))
        (local.set $max (f64.max (local.get $max) (local.get $x)))))
      (if (v128.any_true (local.get $bad)) (then (return (i32.const 1))))
      (if (v128.any_true (local.get $badMask)) (then (return (i32.const 2))))
      (if (f64.eq (local.get $max) (f64.const -inf))
        (then
          ;; every key masked: a row of zeros
          (local.set $j (local.get $pw))
          (block $zeroDone (loop $eachZero
            (br_if $zeroDone (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (local.get $j) (v128.const f64x2 0 0))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $eachZero))))
        (else
          ;; 2) e = exp(u − max), summed in order (entry 0, 1, 2, …); 3) e / sum
          (local.set $vmax (f64x2.splat (local.get $max)))
          (local.set $sum (f64.const 0))
          (local.set $j (local.get $pw))
          (block $expDone (loop $eachExp
            (br_if $expDone (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $e (call $exp (f64x2.sub (v128.load (local.get $j)) (local.get $vmax))))
            (v128.store (local.get $j) (local.get $e))
            (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e)))
              (f64x2.extract_lane 1 (local.get $e))))    ;; the padding entry adds exp(−∞) = 0: no change
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $eachExp)))
          (local.set $vmax (f64x2.splat (local.get $sum)))
          (local.set $j (local.get $pw))
          (block $divDone (loop $eachDiv
            (br_if $divDone (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (local.get $j) (f64x2.div (v128.load (local.get $j)) (local.get $vmax)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $eachDiv)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $eachRow)))
    (i32.const 0)
  )
)
