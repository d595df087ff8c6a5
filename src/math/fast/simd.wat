;; The fast path's inner loops in WebAssembly SIMD (128-bit lanes: two float64 per v128).
;; scripts/build-wasm.mjs compiles this file into _simd-bytes.ts (npm run build:wasm); simd.ts loads it.
;;
;; Same numbers as the JavaScript loops and mathjs, bit for bit (test/math/fast/simd.test.ts): every output entry
;; of matmulTransB is its own lane, summing p = 0, 1, …, k−1 in order from 0 with a multiply then an add (no fused
;; multiply-add); the SIMD runs across output columns, never across p. Only the product lives here: the softmax
;; (and its exp) is one JavaScript loop in flat-attention.ts, Math.exp itself.
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
)
