;; The fast path's inner loops in WebAssembly SIMD (128-bit lanes: two float64 per v128).
;; scripts/build-wasm.mjs compiles this file into _simd-bytes.ts (npm run build:wasm); simd.ts loads it.
;;
;; Same numbers as the JavaScript loops and mathjs, bit for bit (test/math/fast/simd.test.ts): every output entry
;; of matmulTransB is its own lane, summing p = 0, 1, …, k−1 in order from 0 with a multiply then an add (no fused
;; multiply-add); the SIMD runs across output columns, never across p. softmaxExp is the exp-and-normalise half of
;; the fast path's softmax row (kernels.ts _softmaxRow): fdlibm's exp, the algorithm behind V8's Math.exp, step
;; for step with its branches as lane selects, so it gives Math.exp's bits. matmulF32Acc is the one kernel that
;; is NOT bit for bit: float32 products summed in float32 lanes across p, for the chat model's decoding only.
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

  ;; C = A·B: A (n, k) with A[i, p] at a + (i·lda + p·stepA) entries (stepA = 1: rows as stored; lda = 1: A stored
  ;; transposed, as X in ∂W = Xᵀ·∂Y), B (k, m) rows ldb apart (as stored: a layer's W, a gradient ∂Y), C (n, m)
  ;; rows ldc apart; n and m multiples of 4 (the caller pads). matmulTransB's loops and sums exactly (each entry
  ;; sums p = 0 … k−1 in order from 0, multiply then add), so the two give the same bits; only B's vectors differ:
  ;; (B[p, j], B[p, j+1]) and (B[p, j+2], B[p, j+3]) are two plain loads from one row instead of four from
  ;; four rows of Bᵀ (measured 5–15 % faster), and nobody has to transpose B first.
  (func (export "matmulNN")
    (param $a i32) (param $lda i32) (param $stepA i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $rowA i32) (local $rowB i32) (local $rowC i32)   ;; the strides in bytes
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $rowA (i32.shl (local.get $lda) (i32.const 3)))
    (local.set $stepA (i32.shl (local.get $stepA) (i32.const 3)))   ;; now in bytes
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
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))  ;; &B[0, j]
        (local.set $p (local.get $k))
        (block $pDone (loop $steps
          (br_if $pDone (i32.eqz (local.get $p)))
          (local.set $b0 (v128.load (local.get $pb)))                                                     ;; (B[p, j], B[p, j+1])
          (local.set $b1 (v128.load offset=16 (local.get $pb)))                                           ;; (B[p, j+2], B[p, j+3])
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
          (local.set $pa (i32.add (local.get $pa) (local.get $stepA)))  ;; next p: one step on in A, one row down in B
          (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
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

  ;; Y = X·Wᵀ with W stored as float32: X (n, k) float64 rows ldx apart, W (m, k) float32 rows ldw apart (one row
  ;; per output), Y (n, m) float64 rows ldy apart; any n, k, m (strides count entries: 8 bytes in X and Y, 4 in W).
  ;; Each W entry is promoted to float64 (exact) and every output entry is its own lane summing p = 0, 1, …, k−1
  ;; in order from 0 with a float64 multiply then an add: the numbers of matmulTransB on the same values stored
  ;; as float64, bit for bit. Column block: 8 rows of W (4 f64x2 accumulators), outermost, so those 8 rows stay
  ;; in the cache while every row of X passes over them (a weight is read from memory once per call); per step
  ;; of p, 8 float32 loads (one from each row), one splat of X[i, p]; while 4 steps remain, one 4-wide load per row
  ;; instead, interleaved by shuffles into the (row, row+1) pairs of each step (the sums' order is unchanged).
  ;; The last m mod 8 columns: one at a time.
  (func (export "matmulF32W")
    (param $x i32) (param $ldx i32) (param $w i32) (param $ldw i32) (param $y i32) (param $ldy i32)
    (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $j i32) (local $p i32) (local $m8 i32)
    (local $rowX i32) (local $rowW i32) (local $rowY i32)   ;; the strides in bytes
    (local $px i32) (local $pw i32) (local $py i32)
    (local $o2 i32) (local $o4 i32) (local $o6 i32)          ;; 2, 4, 6 rows of W on, in bytes
    (local $xs v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s f64)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $ra v128) (local $rb v128) (local $lo v128) (local $hi v128)
    (local.set $rowX (i32.shl (local.get $ldx) (i32.const 3)))
    (local.set $rowW (i32.shl (local.get $ldw) (i32.const 2)))
    (local.set $rowY (i32.shl (local.get $ldy) (i32.const 3)))
    (local.set $o2 (i32.shl (local.get $rowW) (i32.const 1)))
    (local.set $o4 (i32.shl (local.get $rowW) (i32.const 2)))
    (local.set $o6 (i32.add (local.get $o4) (local.get $o2)))
    (local.set $m8 (i32.and (local.get $m) (i32.const -8)))
    (local.set $j (i32.const 0))
    (block $blocksDone (loop $blocks
      (br_if $blocksDone (i32.ge_u (local.get $j) (local.get $m8)))
      (local.set $i (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s0 (v128.const f64x2 0 0)) (local.set $s1 (v128.const f64x2 0 0))
        (local.set $s2 (v128.const f64x2 0 0)) (local.set $s3 (v128.const f64x2 0 0))
        (local.set $px (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowX))))   ;; &X[i, 0]
        (local.set $pw (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowW))))   ;; &W[j, 0]
        (local.set $p (local.get $k))
        (block $quadsDone (loop $quads                                   ;; four steps of p at a time while they last
          (br_if $quadsDone (i32.lt_u (local.get $p) (i32.const 4)))
          (local.set $x0 (v128.load64_splat (local.get $px)))                                   ;; X[i, p] twice
          (local.set $x1 (v128.load64_splat offset=8 (local.get $px)))                          ;; X[i, p+1]
          (local.set $x2 (v128.load64_splat offset=16 (local.get $px)))                         ;; X[i, p+2]
          (local.set $x3 (v128.load64_splat offset=24 (local.get $px)))                         ;; X[i, p+3]
          ;; rows j+0, j+1: W[·, p … p+3] of each (one load), interleaved to (W[j+0, p], W[j+1, p], W[j+0, p+1], W[j+1, p+1]) and the same for p+2, p+3
          (local.set $ra (v128.load (local.get $pw)))
          (local.set $rb (v128.load (i32.add (local.get $pw) (local.get $rowW))))
          (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ra) (local.get $rb)))
          (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ra) (local.get $rb)))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $lo)))))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x1)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $hi)))))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $x3)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))))
          ;; rows j+2, j+3: W[·, p … p+3] of each (one load), interleaved to (W[j+2, p], W[j+3, p], W[j+2, p+1], W[j+3, p+1]) and the same for p+2, p+3
          (local.set $ra (v128.load (i32.add (local.get $pw) (local.get $o2))))
          (local.set $rb (v128.load (i32.add (i32.add (local.get $pw) (local.get $o2)) (local.get $rowW))))
          (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ra) (local.get $rb)))
          (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ra) (local.get $rb)))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $lo)))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x1)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $hi)))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $x3)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))))
          ;; rows j+4, j+5: W[·, p … p+3] of each (one load), interleaved to (W[j+4, p], W[j+5, p], W[j+4, p+1], W[j+5, p+1]) and the same for p+2, p+3
          (local.set $ra (v128.load (i32.add (local.get $pw) (local.get $o4))))
          (local.set $rb (v128.load (i32.add (i32.add (local.get $pw) (local.get $o4)) (local.get $rowW))))
          (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ra) (local.get $rb)))
          (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ra) (local.get $rb)))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $lo)))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x1)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $hi)))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $x3)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))))
          ;; rows j+6, j+7: W[·, p … p+3] of each (one load), interleaved to (W[j+6, p], W[j+7, p], W[j+6, p+1], W[j+7, p+1]) and the same for p+2, p+3
          (local.set $ra (v128.load (i32.add (local.get $pw) (local.get $o6))))
          (local.set $rb (v128.load (i32.add (i32.add (local.get $pw) (local.get $o6)) (local.get $rowW))))
          (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $ra) (local.get $rb)))
          (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $ra) (local.get $rb)))
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $lo)))))
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x1)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $lo) (local.get $lo))))))
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $hi)))))
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $x3)
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $hi) (local.get $hi))))))
          (local.set $px (i32.add (local.get $px) (i32.const 32)))     ;; p += 4
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (local.set $p (i32.sub (local.get $p) (i32.const 4)))
          (br $quads)))
        (block $pDone (loop $steps
          (br_if $pDone (i32.eqz (local.get $p)))
          (local.set $xs (v128.load64_splat (local.get $px)))                                   ;; X[i, p] twice
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $xs)
            (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (local.get $pw) (local.get $rowW))  ;; W[j+1, p]
              (v128.load32_zero (local.get $pw)))))))                                             ;; W[j, p]
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $xs)
            (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (i32.add (local.get $pw) (local.get $o2)) (local.get $rowW))  ;; W[j+3, p]
              (v128.load32_zero (i32.add (local.get $pw) (local.get $o2))))))))                   ;; W[j+2, p]
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $xs)
            (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (i32.add (local.get $pw) (local.get $o4)) (local.get $rowW))  ;; W[j+5, p]
              (v128.load32_zero (i32.add (local.get $pw) (local.get $o4))))))))                   ;; W[j+4, p]
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $xs)
            (f64x2.promote_low_f32x4 (v128.load32_lane 1 (i32.add (i32.add (local.get $pw) (local.get $o6)) (local.get $rowW))  ;; W[j+7, p]
              (v128.load32_zero (i32.add (local.get $pw) (local.get $o6))))))))                   ;; W[j+6, p]
          (local.set $px (i32.add (local.get $px) (i32.const 8)))      ;; next p: one column on in X and W
          (local.set $pw (i32.add (local.get $pw) (i32.const 4)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br $steps)))
        (local.set $py (i32.add (local.get $y)
          (i32.add (i32.mul (local.get $i) (local.get $rowY)) (i32.shl (local.get $j) (i32.const 3)))))  ;; &Y[i, j]
        (v128.store (local.get $py) (local.get $s0))
        (v128.store offset=16 (local.get $py) (local.get $s1))
        (v128.store offset=32 (local.get $py) (local.get $s2))
        (v128.store offset=48 (local.get $py) (local.get $s3))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $blocks)))
    ;; the last m mod 8 columns, one scalar sum each, in the same order
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $j) (local.get $m)))
      (local.set $i (i32.const 0))
      (block $tailRowsDone (loop $tailRows
        (br_if $tailRowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (f64.const 0))
        (local.set $px (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowX))))   ;; &X[i, 0]
        (local.set $pw (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowW))))   ;; &W[j, 0]
        (local.set $p (local.get $k))
        (block $tpDone (loop $tsteps
          (br_if $tpDone (i32.eqz (local.get $p)))
          (local.set $s (f64.add (local.get $s)
            (f64.mul (f64.load (local.get $px)) (f64.promote_f32 (f32.load (local.get $pw))))))
          (local.set $px (i32.add (local.get $px) (i32.const 8)))
          (local.set $pw (i32.add (local.get $pw) (i32.const 4)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br $tsteps)))
        (f64.store (i32.add (local.get $y)
          (i32.add (i32.mul (local.get $i) (local.get $rowY)) (i32.shl (local.get $j) (i32.const 3))))
          (local.get $s))                                                                           ;; Y[i, j]
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tailRows)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tail)))
  )

  ;; ---- exp and the softmax's normalisation (kernels.ts _softmaxRow) ----
  ;; exp(x), two lanes at a time, for x ≤ 0, −Infinity or NaN (a softmax's u − max): fdlibm's __ieee754_exp.
  ;;   exp(x) = 2^k · exp(r),  x = k·ln2 + r,  |r| ≤ ln2/2 (r = hi − lo, ln2 split in two so k·ln2HI is exact)
  ;;   exp(r) = 1 − ((lo − r·c/(2 − c)) − hi),  c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
  ;; fdlibm's branches on the high word of |x| are compares on |x| at the same boundaries. Its k = 0 branch,
  ;; 1 − ((r·c)/(c − 2) − r), is the same formula with hi = r, lo = 0 (c − 2 = −(2 − c) exactly), so one division
  ;; serves every lane. Constants are globals: V8 loads a global where it rebuilds a v128.const at each use.
  (global $INVLN2 v128 (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))  ;; 1/ln2
  (global $LN2HI v128 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))  ;; ln2's high bits: k·ln2HI is exact
  (global $LN2LO v128 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))  ;; ln2 − ln2HI
  (global $P1 v128 (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))
  (global $P2 v128 (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))
  (global $P3 v128 (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))
  (global $P4 v128 (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))
  (global $P5 v128 (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))
  (global $HALF_LN2 v128 (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000))  ;; the first |x| with hx > 0x3fd62e42
  (global $ONE_HALF_LN2 v128 (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000))  ;; hx < 0x3ff0a2b2: |x| < 1.5·ln2
  (global $TINY v128 (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))  ;; hx < 0x3e300000: |x| < 2^−28
  (global $U_THRESHOLD v128 (v128.const f64x2 -7.45133219101941108420e+02 -7.45133219101941108420e+02))  ;; below: 0
  (global $TWOM1000 v128 (v128.const f64x2 9.33263618503218878990e-302 9.33263618503218878990e-302))  ;; 2^−1000
  (global $MINUS_HALF v128 (v128.const f64x2 -0.5 -0.5))  ;; fdlibm's halF[1] (x < 0)
  (global $MINUS_ONE v128 (v128.const f64x2 -1 -1))
  (global $K_MIN v128 (v128.const f64x2 -1021 -1021))  ;; the smallest k scaled in one step
  (global $THOUSAND v128 (v128.const f64x2 1000 1000))
  (global $BIAS v128 (v128.const i64x2 1023 1023))  ;; the float64 exponent bias
  (global $ZERO v128 (v128.const f64x2 0 0))
  (global $ONE v128 (v128.const f64x2 1 1))
  (global $TWO v128 (v128.const f64x2 2 2))

  ;; In place, exp(x − shift) of every float64 from byte q to byte end (pairs), x − shift ≤ 0, −Infinity or NaN.
  (func $expRange (param $q i32) (param $end i32) (param $shift f64)
    (local $vshift v128) (local $x v128)
    (local $ax v128) (local $big v128) (local $mid v128) (local $sub v128)
    (local $t v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128) (local $rr v128) (local $c v128) (local $y v128)
    (local.set $vshift (f64x2.splat (local.get $shift)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
      (local.set $x (f64x2.sub (v128.load (local.get $q)) (local.get $vshift)))
      (local.set $ax (f64x2.abs (local.get $x)))
      (local.set $big (f64x2.ge (local.get $ax) (global.get $HALF_LN2)))     ;; |x| > ln2/2: reduce
      (local.set $mid (f64x2.lt (local.get $ax) (global.get $ONE_HALF_LN2))) ;; and |x| < 1.5·ln2: k = −1
      ;; k = (int)(x/ln2 − 0.5) (x < 0), as a float64; hi = x − k·ln2HI, lo = k·ln2LO
      (local.set $t (f64x2.trunc (f64x2.add (f64x2.mul (global.get $INVLN2) (local.get $x)) (global.get $MINUS_HALF))))
      (local.set $k (v128.bitselect (global.get $MINUS_ONE) (local.get $t) (local.get $mid)))
      (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (global.get $LN2HI))))   ;; k = −1: x − (−ln2HI)
      (local.set $lo (f64x2.mul (local.get $k) (global.get $LN2LO)))                              ;; k = −1: −ln2LO
      ;; |x| ≤ ln2/2: k = 0, hi = x, lo = 0
      (local.set $k (v128.and (local.get $k) (local.get $big)))
      (local.set $hi (v128.bitselect (local.get $hi) (local.get $x) (local.get $big)))
      (local.set $lo (v128.and (local.get $lo) (local.get $big)))
      (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
      (local.set $rr (f64x2.mul (local.get $r) (local.get $r)))
      ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5)))), innermost first
      (local.set $c (f64x2.mul (local.get $rr) (global.get $P5)))
      (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (global.get $P4) (local.get $c))))
      (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (global.get $P3) (local.get $c))))
      (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (global.get $P2) (local.get $c))))
      (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (global.get $P1) (local.get $c))))
      (local.set $c (f64x2.sub (local.get $r) (local.get $c)))
      ;; y = 1 − ((lo − (r·c)/(2 − c)) − hi)
      (local.set $y (f64x2.sub (global.get $ONE) (f64x2.sub (f64x2.sub (local.get $lo)
        (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (global.get $TWO) (local.get $c))))
        (local.get $hi))))
      ;; times 2^k, or 2^(k+1000) then 2^−1000 when k < −1021 (a subnormal result)
      (local.set $sub (f64x2.lt (local.get $k) (global.get $K_MIN)))
      (local.set $k (v128.bitselect (f64x2.add (local.get $k) (global.get $THOUSAND)) (local.get $k) (local.get $sub)))
      (local.set $y (f64x2.mul (local.get $y)
        (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (global.get $BIAS))
          (i32.const 52))))                                                                         ;; the bits of 2^k
      (local.set $y (v128.bitselect (f64x2.mul (local.get $y) (global.get $TWOM1000)) (local.get $y) (local.get $sub)))
      ;; |x| < 2^−28: 1 + x;  x < −745.13 (and −Infinity): 0
      (v128.store (local.get $q) (v128.bitselect (global.get $ZERO)
        (v128.bitselect (f64x2.add (global.get $ONE) (local.get $x)) (local.get $y)
          (f64x2.lt (local.get $ax) (global.get $TINY)))
        (f64x2.lt (local.get $x) (global.get $U_THRESHOLD))))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $each)))
  )

  ;; The first half of a softmax row, in place: u_j = s_j / √dK (+ m_j when hasMask), −∞ for j ≥ firstMasked and
  ;; where pad_j ≠ 0 (when hasPad); returns max_j u_j, NaN ignored (JavaScript's `if (u > max) max = u`).
  ;; s: `count` float64 at byte p (count even; the caller's padding entry past the row must be masked by firstMasked);
  ;; m: float64 at byte mp; pad: bytes at byte pp.
  (func (export "softmaxScale")
    (param $p i32) (param $count i32) (param $sqrtDK f64) (param $hasMask i32) (param $mp i32)
    (param $firstMasked i32) (param $hasPad i32) (param $pp i32) (result f64)
    (local $q i32) (local $end i32) (local $j i32) (local $d v128) (local $u v128) (local $vmax v128) (local $lane v128)
    (local $a f64) (local $b f64)
    (local.set $d (f64x2.splat (local.get $sqrtDK)))
    (local.set $vmax (f64x2.splat (f64.const -inf)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $lane (v128.const i64x2 0 1))                                              ;; (j, j + 1)
    (local.set $q (local.get $p))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
      (local.set $u (f64x2.div (v128.load (local.get $q)) (local.get $d)))
      (if (local.get $hasMask) (then
        (local.set $u (f64x2.add (local.get $u) (v128.load (local.get $mp))))
        (local.set $mp (i32.add (local.get $mp) (i32.const 16)))))
      ;; j ≥ firstMasked: −∞
      (local.set $u (v128.bitselect (v128.const f64x2 -inf -inf) (local.get $u)
        (i64x2.ge_s (local.get $lane) (i64x2.splat (i64.extend_i32_u (local.get $firstMasked))))))
      (if (local.get $hasPad) (then
        (local.set $u (v128.bitselect (v128.const f64x2 -inf -inf) (local.get $u)
          (i64x2.ne (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
            (v128.load16_splat (local.get $pp))))) (v128.const i64x2 0 0))))
        (local.set $pp (i32.add (local.get $pp) (i32.const 2)))))
      (v128.store (local.get $q) (local.get $u))
      (local.set $vmax (v128.bitselect (local.get $u) (local.get $vmax) (f64x2.gt (local.get $u) (local.get $vmax))))
      (local.set $lane (i64x2.add (local.get $lane) (v128.const i64x2 2 2)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $each)))
    (local.set $a (f64x2.extract_lane 0 (local.get $vmax)))
    (local.set $b (f64x2.extract_lane 1 (local.get $vmax)))
    (select (local.get $b) (local.get $a) (f64.gt (local.get $b) (local.get $a)))
  )

  ;; The second half of a softmax row, in place: e_j = exp(u_j − max), sum = e_0 + e_1 + … in order, then e_j / sum.
  ;; u: `count` float64 at byte p (count even: an odd row's caller pads one −Infinity, which adds exp(−∞) = 0).
  (func (export "softmaxExp") (param $p i32) (param $count i32) (param $max f64)
    (local $q i32) (local $end i32) (local $v v128) (local $sum f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (call $expRange (local.get $p) (local.get $end) (local.get $max))
    (local.set $q (local.get $p))
    (block $sumDone (loop $eachSum                                    ;; the sum in order: entry 0, 1, 2, …
      (br_if $sumDone (i32.ge_u (local.get $q) (local.get $end)))
      (local.set $sum (f64.add (f64.add (local.get $sum) (f64.load (local.get $q))) (f64.load offset=8 (local.get $q))))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $eachSum)))
    (local.set $v (f64x2.splat (local.get $sum)))
    (local.set $q (local.get $p))
    (block $divDone (loop $eachDiv
      (br_if $divDone (i32.ge_u (local.get $q) (local.get $end)))
      (v128.store (local.get $q) (f64x2.div (v128.load (local.get $q)) (local.get $v)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $eachDiv)))
  )

  ;; exp of `count` float64 in place at p (count even), for x ≤ 0: the test of the exp against Math.exp.
  (func (export "expNonPositive") (param $p i32) (param $count i32)
    (call $expRange (local.get $p) (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))) (f64.const 0))
  )

  ;; ---- float32 accumulation (the chat model's decoding; NOT the float64 kernels' numbers) ----
  ;; Y = X·Wᵀ: X (n, k) float32 rows ldx apart, W (m, k) float32 rows ldw apart, Y (n, m) float64 rows ldy apart;
  ;; k a multiple of 4 (strides in entries). Each output keeps four float32 partial sums, lane l summing
  ;; p ≡ l (mod 4) in order, added (lane 0 + lane 1) + (lane 2 + lane 3) at the end and stored as float64.
  ;; Column block: 8 rows of W (8 f32x4 accumulators), every row of X passing over them; then one row at a time.
  (func (export "matmulF32Acc")
    (param $x i32) (param $ldx i32) (param $w i32) (param $ldw i32) (param $y i32) (param $ldy i32)
    (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $j i32) (local $px i32) (local $pw i32) (local $end i32) (local $m8 i32) (local $rowW i32) (local $py i32)
    (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)   ;; 2 … 7 rows of W on, in bytes
    (local $xv v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local.set $rowW (i32.shl (local.get $ldw) (i32.const 2)))
    (local.set $o2 (i32.shl (local.get $rowW) (i32.const 1)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $rowW)))
    (local.set $o4 (i32.shl (local.get $rowW) (i32.const 2)))
    (local.set $o5 (i32.add (local.get $o4) (local.get $rowW)))
    (local.set $o6 (i32.add (local.get $o4) (local.get $o2)))
    (local.set $o7 (i32.add (local.get $o6) (local.get $rowW)))
    (local.set $m8 (i32.and (local.get $m) (i32.const -8)))
    (local.set $j (i32.const 0))
    (block $blocksDone (loop $blocks
      (br_if $blocksDone (i32.ge_u (local.get $j) (local.get $m8)))
      (local.set $i (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s0 (v128.const f32x4 0 0 0 0)) (local.set $s1 (v128.const f32x4 0 0 0 0))
        (local.set $s2 (v128.const f32x4 0 0 0 0)) (local.set $s3 (v128.const f32x4 0 0 0 0))
        (local.set $s4 (v128.const f32x4 0 0 0 0)) (local.set $s5 (v128.const f32x4 0 0 0 0))
        (local.set $s6 (v128.const f32x4 0 0 0 0)) (local.set $s7 (v128.const f32x4 0 0 0 0))
        (local.set $px (i32.add (local.get $x) (i32.shl (i32.mul (local.get $i) (local.get $ldx)) (i32.const 2))))  ;; &X[i, 0]
        (local.set $end (i32.add (local.get $px) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $pw (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowW))))                       ;; &W[j, 0]
        (block $pDone (loop $steps
          (br_if $pDone (i32.ge_u (local.get $px) (local.get $end)))
          (local.set $xv (v128.load (local.get $px)))                                                        ;; X[i, p … p+3]
          (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $xv) (v128.load (local.get $pw)))))
          (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $rowW))))))
          (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o2))))))
          (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o3))))))
          (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o4))))))
          (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o5))))))
          (local.set $s6 (f32x4.add (local.get $s6) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o6))))))
          (local.set $s7 (f32x4.add (local.get $s7) (f32x4.mul (local.get $xv)
            (v128.load (i32.add (local.get $pw) (local.get $o7))))))
          (local.set $px (i32.add (local.get $px) (i32.const 16)))
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (br $steps)))
        (local.set $py (i32.add (local.get $y)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldy)) (local.get $j)) (i32.const 3))))      ;; &Y[i, j]
        (f64.store offset=0 (local.get $py) (call $sum4 (local.get $s0)))
        (f64.store offset=8 (local.get $py) (call $sum4 (local.get $s1)))
        (f64.store offset=16 (local.get $py) (call $sum4 (local.get $s2)))
        (f64.store offset=24 (local.get $py) (call $sum4 (local.get $s3)))
        (f64.store offset=32 (local.get $py) (call $sum4 (local.get $s4)))
        (f64.store offset=40 (local.get $py) (call $sum4 (local.get $s5)))
        (f64.store offset=48 (local.get $py) (call $sum4 (local.get $s6)))
        (f64.store offset=56 (local.get $py) (call $sum4 (local.get $s7)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $blocks)))
    ;; the last m mod 8 rows of W, one at a time, the same sums
    (block $tailDone (loop $tail
      (br_if $tailDone (i32.ge_u (local.get $j) (local.get $m)))
      (local.set $i (i32.const 0))
      (block $tailRowsDone (loop $tailRows
        (br_if $tailRowsDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s0 (v128.const f32x4 0 0 0 0))
        (local.set $px (i32.add (local.get $x) (i32.shl (i32.mul (local.get $i) (local.get $ldx)) (i32.const 2))))
        (local.set $end (i32.add (local.get $px) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $pw (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowW))))
        (block $tpDone (loop $tsteps
          (br_if $tpDone (i32.ge_u (local.get $px) (local.get $end)))
          (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $px)) (v128.load (local.get $pw)))))
          (local.set $px (i32.add (local.get $px) (i32.const 16)))
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (br $tsteps)))
        (f64.store (i32.add (local.get $y)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ldy)) (local.get $j)) (i32.const 3)))
          (call $sum4 (local.get $s0)))                                                                      ;; Y[i, j]
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tailRows)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tail)))
  )

  ;; (s[0] + s[1]) + (s[2] + s[3]) of an f32x4, in float32, as a float64
  (func $sum4 (param $s v128) (result f64)
    (f64.promote_f32 (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
  )

  ;; Σ of `count` float32 at p (count a multiple of 16), four f32x4 sums: a streaming read, the bandwidth probe.
  (func (export "sumF32") (param $p i32) (param $count i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $p))))
      (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
      (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br $each)))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
  )
)
