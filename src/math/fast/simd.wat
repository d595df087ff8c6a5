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
)
