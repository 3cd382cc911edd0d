//! One test per rule of the allocator's contract, pyglet's failure cases included.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
use vertex_domain::allocation::{AllocError, Allocator};

/// Shorthand for the aggregate regions as `(start, size)` pairs.
fn regions(a: &Allocator) -> Vec<(usize, usize)> {
    let (starts, sizes) = a.allocated_regions();
    starts.into_iter().zip(sizes).collect()
}

/// Allocates `sizes` one after another in a fresh allocator of `capacity`.
fn filled(capacity: usize, sizes: &[usize]) -> (Allocator, Vec<usize>) {
    let mut a = Allocator::new(capacity);
    let starts = sizes.iter().map(|&n| a.alloc(n).unwrap()).collect();
    (a, starts)
}

// ---- placement ------------------------------------------------------------------------------

#[test]
fn alloc_places_regions_one_after_another_from_zero() {
    let (a, starts) = filled(100, &[10, 20, 5]);
    assert_eq!(starts, vec![0, 10, 30]);
    assert_eq!(regions(&a), vec![(0, 35)]);
}

#[test]
fn alloc_uses_the_gap_before_the_first_region() {
    let (mut a, _) = filled(100, &[10, 10]);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.alloc(4).unwrap(), 0);
}

#[test]
fn alloc_uses_the_lowest_gap_between_regions_that_fits() {
    let (mut a, _) = filled(100, &[10, 3, 10, 8, 10, 8, 10]);
    // Gaps of 3 at 10, 8 at 23, 8 at 41.
    a.dealloc(10, 3).unwrap();
    a.dealloc(23, 8).unwrap();
    a.dealloc(41, 8).unwrap();
    assert_eq!(a.alloc(5).unwrap(), 23);
    assert_eq!(a.alloc(5).unwrap(), 41);
    assert_eq!(a.alloc(3).unwrap(), 10);
    assert_eq!(a.alloc(3).unwrap(), 28);
}

#[test]
fn alloc_falls_back_to_the_tail_when_no_gap_fits() {
    let (mut a, _) = filled(100, &[10, 2, 10]);
    a.dealloc(10, 2).unwrap();
    assert_eq!(a.alloc(3).unwrap(), 22);
}

#[test]
fn exact_fit_hole_at_offset_zero_is_reused() {
    // pyglet issue #48: the hole at 0 was never reused, so buffers grew without bound.
    let (mut a, _) = filled(20, &[4, 4]);
    for _ in 0..100 {
        a.dealloc(0, 4).unwrap();
        assert_eq!(a.alloc(4).unwrap(), 0);
    }
    assert_eq!(a.capacity(), 20);
    assert_eq!(regions(&a), vec![(0, 8)]);
}

#[test]
fn exact_fit_hole_between_regions_is_reused() {
    let (mut a, _) = filled(30, &[4, 4, 4]);
    a.dealloc(4, 4).unwrap();
    assert_eq!(a.alloc(4).unwrap(), 4);
    assert_eq!(regions(&a), vec![(0, 12)]);
}

#[test]
fn adjacent_allocations_form_one_aggregate_region() {
    let (mut a, _) = filled(100, &[5, 5, 5, 5]);
    a.dealloc(5, 5).unwrap();
    assert_eq!(regions(&a), vec![(0, 5), (10, 10)]);
    a.alloc(5).unwrap();
    assert_eq!(regions(&a), vec![(0, 20)]);
}

#[test]
fn alloc_of_zero_returns_zero_and_records_nothing() {
    let mut a = Allocator::new(10);
    assert_eq!(a.alloc(0), Ok(0));
    assert_eq!(regions(&a), vec![]);
    assert_eq!(a.alloc(3), Ok(0));
    assert_eq!(a.alloc(0), Ok(0));
    assert_eq!(regions(&a), vec![(0, 3)]);
    // Even with no capacity at all.
    assert_eq!(Allocator::new(0).alloc(0), Ok(0));
}

// ---- running out of capacity ----------------------------------------------------------------

#[test]
fn alloc_that_does_not_fit_requests_end_of_last_region_plus_size() {
    let (mut a, _) = filled(16, &[6, 6]);
    a.dealloc(0, 6).unwrap(); // a hole too small for 7
    let before = regions(&a);
    assert_eq!(
        a.alloc(7),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 19
        })
    );
    assert_eq!(regions(&a), before, "a failed alloc changes nothing");
}

#[test]
fn alloc_in_an_empty_zero_capacity_allocator_requests_the_size() {
    let mut a = Allocator::new(0);
    assert_eq!(
        a.alloc(5),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 5
        })
    );
}

#[test]
fn alloc_succeeds_after_growing_to_the_requested_capacity() {
    let (mut a, _) = filled(16, &[6, 6]);
    a.dealloc(6, 3).unwrap();
    let Err(AllocError::OutOfCapacity { requested_capacity }) = a.alloc(7) else {
        panic!("expected OutOfCapacity")
    };
    a.set_capacity(requested_capacity).unwrap();
    assert_eq!(a.alloc(7), Ok(12));
    assert_eq!(a.free_size(), 3);
}

#[test]
fn alloc_requests_capacity_from_the_end_of_the_last_region_not_the_capacity() {
    let (mut a, _) = filled(100, &[10]);
    assert_eq!(
        a.alloc(95),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 105
        })
    );
}

// ---- dealloc --------------------------------------------------------------------------------

#[test]
fn double_free_is_not_allocated_and_changes_nothing() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    let before = regions(&a);
    assert_eq!(
        a.dealloc(10, 10),
        Err(AllocError::NotAllocated {
            start: 10,
            size: 10
        })
    );
    assert_eq!(regions(&a), before);
}

#[test]
fn dealloc_partly_over_free_space_is_not_allocated() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    for (start, size) in [(5, 10), (15, 10), (0, 30), (19, 2), (25, 10), (29, 2)] {
        assert_eq!(
            a.dealloc(start, size),
            Err(AllocError::NotAllocated { start, size })
        );
    }
    assert_eq!(regions(&a), vec![(0, 10), (20, 10)]);
}

#[test]
fn dealloc_beyond_the_capacity_is_not_allocated() {
    let (mut a, _) = filled(10, &[10]);
    assert_eq!(
        a.dealloc(5, 10),
        Err(AllocError::NotAllocated { start: 5, size: 10 })
    );
    assert_eq!(
        a.dealloc(50, 1),
        Err(AllocError::NotAllocated { start: 50, size: 1 })
    );
}

#[test]
fn dealloc_of_size_zero_is_a_no_op() {
    let (mut a, _) = filled(10, &[4]);
    assert_eq!(a.dealloc(2, 0), Ok(()));
    assert_eq!(a.dealloc(7, 0), Ok(()), "even over free space");
    assert_eq!(a.dealloc(usize::MAX, 0), Ok(()));
    assert_eq!(regions(&a), vec![(0, 4)]);
}

#[test]
fn dealloc_may_free_part_of_an_allocation_or_span_adjacent_ones() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(5, 20).unwrap();
    assert_eq!(regions(&a), vec![(0, 5), (25, 5)]);
    a.dealloc(26, 2).unwrap();
    assert_eq!(regions(&a), vec![(0, 5), (25, 1), (28, 2)]);
}

#[test]
fn dealloc_coalesces_free_space_on_both_sides() {
    let (mut a, _) = filled(100, &[10, 10, 10, 10]);
    a.dealloc(0, 10).unwrap();
    a.dealloc(20, 10).unwrap();
    a.dealloc(10, 10).unwrap();
    assert_eq!(regions(&a), vec![(30, 10)]);
    assert_eq!(a.fragmented_free_size(), 30);
    assert_eq!(a.alloc(30).unwrap(), 0, "the three frees became one gap");
}

#[test]
fn freeing_the_last_region_returns_its_space_to_the_tail() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    a.dealloc(20, 10).unwrap();
    assert_eq!(regions(&a), vec![(0, 10)]);
    assert_eq!(a.fragmented_free_size(), 0);
    assert_eq!(a.free_size(), 90);
}

// ---- realloc --------------------------------------------------------------------------------

#[test]
fn realloc_to_zero_frees_the_region_and_returns_zero() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    assert_eq!(a.realloc(10, 10, 0), Ok(0));
    assert_eq!(regions(&a), vec![(0, 10), (20, 10)]);
}

#[test]
fn realloc_to_zero_of_a_free_region_is_not_allocated() {
    let (mut a, _) = filled(100, &[10]);
    assert_eq!(
        a.realloc(20, 5, 0),
        Err(AllocError::NotAllocated { start: 20, size: 5 })
    );
}

#[test]
fn realloc_from_size_zero_behaves_as_alloc() {
    let (mut a, _) = filled(100, &[10, 10]);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.realloc(77, 0, 4), Ok(0));
    assert_eq!(a.realloc(0, 0, 0), Ok(0));
    assert_eq!(
        a.realloc(3, 0, 200),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 220
        })
    );
}

#[test]
fn realloc_to_the_same_size_keeps_the_region_in_place() {
    // pyglet moved the region even when nothing changed.
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.realloc(10, 10, 10), Ok(10));
    assert_eq!(regions(&a), vec![(10, 20)]);
}

#[test]
fn realloc_shrinking_keeps_the_start_and_frees_the_tail() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    assert_eq!(a.realloc(10, 10, 4), Ok(10));
    assert_eq!(regions(&a), vec![(0, 14), (20, 10)]);
    assert_eq!(a.realloc(20, 10, 1), Ok(20));
    assert_eq!(regions(&a), vec![(0, 14), (20, 1)]);
    assert_eq!(a.fragmented_free_size(), 6);
}

#[test]
fn realloc_grows_in_place_into_the_following_gap() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    assert_eq!(a.realloc(0, 10, 15), Ok(0));
    assert_eq!(regions(&a), vec![(0, 15), (20, 10)]);
}

#[test]
fn realloc_grows_in_place_when_the_following_gap_fits_exactly() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    assert_eq!(a.realloc(0, 10, 20), Ok(0));
    assert_eq!(regions(&a), vec![(0, 30)]);
    assert_eq!(a.fragmented_free_size(), 0);
}

#[test]
fn realloc_grows_the_last_region_into_the_tail() {
    let (mut a, _) = filled(100, &[10, 10]);
    assert_eq!(a.realloc(10, 10, 50), Ok(10));
    assert_eq!(regions(&a), vec![(0, 60)]);
}

#[test]
fn growing_the_last_region_to_exactly_fill_the_capacity_succeeds() {
    // pyglet raised here although the space was free.
    let (mut a, _) = filled(100, &[10, 10]);
    assert_eq!(a.realloc(10, 10, 90), Ok(10));
    assert_eq!(a.free_size(), 0);
    assert_eq!(a.usage(), 1.0);
}

#[test]
fn realloc_that_cannot_grow_in_place_moves_to_first_fit_and_frees_the_old_region() {
    let (mut a, _) = filled(100, &[10, 10, 10, 10]);
    a.dealloc(0, 10).unwrap();
    // [10, 20) cannot grow: [20, 30) is allocated. It moves to the tail.
    assert_eq!(a.realloc(10, 10, 15), Ok(40));
    assert_eq!(regions(&a), vec![(20, 35)]);
    // An inner region that fits the front gap moves there.
    assert_eq!(a.realloc(20, 10, 12), Ok(0));
    assert_eq!(regions(&a), vec![(0, 12), (30, 25)]);
}

#[test]
fn realloc_allocates_before_freeing_so_the_new_region_never_overlaps_the_old() {
    // Free space right before the region plus the region itself would hold the new size,
    // but the old contents must survive until the caller copied them.
    let (mut a, _) = filled(45, &[10, 10, 10]);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.realloc(10, 10, 15), Ok(30));
    assert_eq!(regions(&a), vec![(20, 25)]);
}

#[test]
fn failed_realloc_keeps_the_old_region() {
    let (mut a, _) = filled(30, &[10, 10, 10]);
    let before = regions(&a);
    assert!(matches!(
        a.realloc(10, 10, 20),
        Err(AllocError::OutOfCapacity { .. })
    ));
    assert_eq!(regions(&a), before);
    assert_eq!(
        a.dealloc(10, 10),
        Ok(()),
        "the old region is still allocated"
    );
}

#[test]
fn failed_realloc_of_the_region_that_ends_allocated_space_requests_start_plus_new_size() {
    let (mut a, _) = filled(30, &[10, 10]);
    assert_eq!(
        a.realloc(10, 10, 25),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 35
        })
    );
    a.set_capacity(35).unwrap();
    assert_eq!(
        a.realloc(10, 10, 25),
        Ok(10),
        "grows in place after the retry"
    );
}

#[test]
fn failed_realloc_of_an_inner_region_requests_end_of_last_region_plus_new_size() {
    let (mut a, _) = filled(30, &[10, 10, 5]);
    assert_eq!(
        a.realloc(10, 10, 12),
        Err(AllocError::OutOfCapacity {
            requested_capacity: 37
        })
    );
    a.set_capacity(37).unwrap();
    assert_eq!(a.realloc(10, 10, 12), Ok(25), "moves after the retry");
    assert_eq!(regions(&a), vec![(0, 10), (20, 17)]);
}

#[test]
fn realloc_of_a_region_that_is_not_allocated_changes_nothing() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    let before = regions(&a);
    for (start, size, new_size) in [(10, 10, 20), (10, 10, 5), (5, 10, 10), (25, 10, 30)] {
        assert_eq!(
            a.realloc(start, size, new_size),
            Err(AllocError::NotAllocated { start, size })
        );
    }
    assert_eq!(regions(&a), before);
}

// ---- capacity -------------------------------------------------------------------------------

#[test]
fn set_capacity_refuses_to_shrink_and_changes_nothing() {
    let mut a = Allocator::new(64);
    assert_eq!(
        a.set_capacity(32),
        Err(AllocError::CapacityReduction {
            capacity: 64,
            requested: 32
        })
    );
    assert_eq!(a.capacity(), 64);
}

#[test]
fn set_capacity_to_the_same_capacity_is_a_no_op() {
    let (mut a, _) = filled(64, &[10]);
    assert_eq!(a.set_capacity(64), Ok(()));
    assert_eq!(a.capacity(), 64);
    assert_eq!(regions(&a), vec![(0, 10)]);
}

#[test]
fn set_capacity_grows_the_free_tail() {
    let (mut a, _) = filled(10, &[10]);
    a.set_capacity(25).unwrap();
    assert_eq!(a.free_size(), 15);
    assert_eq!(a.fragmented_free_size(), 0);
    assert_eq!(a.alloc(15), Ok(10));
}

// ---- statistics -----------------------------------------------------------------------------

#[test]
fn free_size_is_capacity_minus_allocated_space() {
    let (mut a, _) = filled(100, &[10, 20, 30]);
    a.dealloc(10, 20).unwrap();
    assert_eq!(a.free_size(), 60);
    assert_eq!(a.allocated_size(), 40);
}

#[test]
fn fragmented_free_size_counts_the_gap_before_the_first_region() {
    // pyglet left the front hole out.
    let (mut a, _) = filled(100, &[10, 10]);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.fragmented_free_size(), 10);
    assert_eq!(a.free_size(), 90);
}

#[test]
fn fragmented_free_size_leaves_out_the_final_free_block() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    a.dealloc(10, 10).unwrap();
    assert_eq!(a.fragmented_free_size(), 10);
}

#[test]
fn fragmentation_is_fragmented_over_free_space() {
    let (mut a, _) = filled(100, &[10, 10, 10]);
    assert_eq!(a.fragmentation(), 0.0);
    a.dealloc(10, 10).unwrap();
    assert_eq!(a.fragmentation(), 10.0 / 80.0);
}

#[test]
fn fragmentation_is_zero_when_nothing_is_free() {
    let (mut a, _) = filled(20, &[10, 10]);
    assert_eq!(a.fragmentation(), 0.0);
    assert_eq!(Allocator::new(0).fragmentation(), 0.0);
    a.dealloc(0, 10).unwrap();
    assert_eq!(a.fragmentation(), 1.0);
}

#[test]
fn usage_is_allocated_over_capacity_and_zero_without_capacity() {
    let (a, _) = filled(40, &[10]);
    assert_eq!(a.usage(), 0.25);
    assert_eq!(Allocator::new(0).usage(), 0.0);
    assert_eq!(Allocator::default().usage(), 0.0);
}

#[test]
fn region_count_and_the_iterator_agree_with_allocated_regions() {
    let (mut a, _) = filled(100, &[10, 10, 10, 10, 10]);
    a.dealloc(0, 5).unwrap();
    a.dealloc(20, 10).unwrap();
    let ranges: Vec<_> = a.regions().collect();
    assert_eq!(ranges, vec![5..20, 30..50]);
    assert_eq!(a.region_count(), 2);
    assert_eq!(
        ranges
            .iter()
            .map(|r| (r.start, r.len()))
            .collect::<Vec<_>>(),
        regions(&a)
    );
}

// ---- arithmetic near usize::MAX -------------------------------------------------------------

#[test]
fn alloc_whose_requested_capacity_overflows_returns_overflow() {
    let (mut a, _) = filled(100, &[10]);
    assert_eq!(a.alloc(usize::MAX), Err(AllocError::Overflow));
    assert_eq!(a.alloc(usize::MAX - 9), Err(AllocError::Overflow));
    assert_eq!(
        a.alloc(usize::MAX - 10),
        Err(AllocError::OutOfCapacity {
            requested_capacity: usize::MAX
        })
    );
    assert_eq!(regions(&a), vec![(0, 10)]);
}

#[test]
fn dealloc_whose_end_overflows_returns_overflow() {
    let (mut a, _) = filled(100, &[10]);
    assert_eq!(a.dealloc(5, usize::MAX), Err(AllocError::Overflow));
    assert_eq!(a.realloc(5, usize::MAX, 1), Err(AllocError::Overflow));
    assert_eq!(a.realloc(5, usize::MAX, 0), Err(AllocError::Overflow));
    assert_eq!(regions(&a), vec![(0, 10)]);
}

#[test]
fn realloc_whose_requested_capacity_overflows_returns_overflow() {
    let (mut a, _) = filled(100, &[10, 10]);
    assert_eq!(a.realloc(10, 10, usize::MAX), Err(AllocError::Overflow));
    assert_eq!(a.realloc(0, 10, usize::MAX - 5), Err(AllocError::Overflow));
    assert_eq!(regions(&a), vec![(0, 20)]);
}

#[test]
fn a_buffer_as_large_as_the_address_space_works_up_to_its_last_slot() {
    let mut a = Allocator::new(usize::MAX);
    assert_eq!(a.alloc(usize::MAX - 1), Ok(0));
    assert_eq!(a.alloc(1), Ok(usize::MAX - 1));
    assert_eq!(a.free_size(), 0);
    assert_eq!(a.dealloc(usize::MAX - 1, 1), Ok(()));
    assert_eq!(a.realloc(0, usize::MAX - 1, usize::MAX), Ok(0));
    assert_eq!(
        a.set_capacity(usize::MAX - 1),
        Err(AllocError::CapacityReduction {
            capacity: usize::MAX,
            requested: usize::MAX - 1
        })
    );
}

#[test]
fn realloc_moves_a_region_near_the_top_to_a_low_gap_even_if_start_plus_new_size_overflows() {
    let mut a = Allocator::new(usize::MAX);
    a.alloc(usize::MAX - 10).unwrap();
    let high = a.alloc(5).unwrap();
    a.dealloc(0, 100).unwrap();
    assert_eq!(a.realloc(high, 5, 20), Ok(0));
}

// ---- misuse is an error, not an assert -----------------------------------------------------

#[test]
fn misuse_returns_errors_and_never_panics() {
    let mut a = Allocator::new(8);
    assert!(a.dealloc(0, 1).is_err());
    assert!(a.realloc(3, 2, 5).is_err());
    assert!(a.set_capacity(4).is_err());
    assert!(a.dealloc(usize::MAX, usize::MAX).is_err());
    assert!(a.realloc(usize::MAX, 1, usize::MAX).is_err());
    assert_eq!(a.allocated_size(), 0);
    assert_eq!(a.capacity(), 8);
}

#[test]
fn errors_explain_themselves() {
    let e = AllocError::OutOfCapacity {
        requested_capacity: 64,
    };
    assert!(e.to_string().contains("64"));
    let e = AllocError::NotAllocated { start: 3, size: 4 };
    assert!(e.to_string().contains("not allocated"));
    let e: Box<dyn std::error::Error> = Box::new(AllocError::Overflow);
    assert!(e.to_string().contains("overflow"));
}

#[test]
fn allocators_clone_independently_and_debug_print() {
    let (a, _) = filled(10, &[3]);
    let mut b = a.clone();
    b.alloc(3).unwrap();
    assert_eq!(regions(&a), vec![(0, 3)]);
    assert_eq!(regions(&b), vec![(0, 6)]);
    assert!(format!("{a:?}").contains("capacity: 10"));
}
