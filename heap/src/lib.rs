//! A small memory allocator for the browser bundles, in place of the standard library's
//! dlmalloc (about 5 KB of WebAssembly that every visitor downloads).
//!
//! Blocks come in sizes of powers of two from 16 bytes up; a freed block goes onto its size's
//! list and serves the next request of that size. New blocks are cut from the end of the heap,
//! which grows by whole WebAssembly pages. Nothing is returned to the browser (WebAssembly
//! memory never shrinks) and blocks of different sizes are never merged, so a page may use up
//! to twice the memory it asks for: fine for a chat view's few megabytes, in exchange for
//! constant-time allocation and a fraction of the code.
//!
//! WebAssembly here has one thread, which is what makes the unsynchronised state sound.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// The smallest block: room for the free list's link, and the alignment every type here needs.
const MIN_SHIFT: u32 = 4;
/// Blocks are aligned to their size up to this (a request for more alignment fails).
const MAX_ALIGN: usize = 4_096;
/// Size classes: 16 B up to 2 GiB, the whole 32-bit address space.
const CLASSES: usize = (usize::BITS - MIN_SHIFT) as usize;
const PAGE: usize = 65_536;

pub struct Heap(UnsafeCell<State>);

struct State {
    /// Per size class, the first free block; each free block holds the address of the next.
    free: [usize; CLASSES],
    /// The unused end of the heap: `top..end` is ours and not yet handed out.
    top: usize,
    end: usize,
}

// SAFETY: WebAssembly without the atomics feature runs one thread; nothing else can reach the
// state while a call is in it, and an allocator never re-enters itself. Anywhere else the heap
// is not `Sync`, so it cannot be a program's allocator there.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [0; CLASSES], top: 0, end: 0 }))
    }
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new()
    }
}

/// The size class serving `layout`: its index and block size; `None` when no class can.
fn class(layout: Layout) -> Option<(usize, usize)> {
    if layout.align() > MAX_ALIGN {
        return None;
    }
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT).checked_next_power_of_two()?;
    let index = (size.trailing_zeros() - MIN_SHIFT) as usize;
    (index < CLASSES).then_some((index, size))
}

impl State {
    /// A fresh block of `size` bytes, aligned to `min(size, MAX_ALIGN)`, from the heap's end.
    fn cut(&mut self, size: usize) -> *mut u8 {
        let align = size.min(MAX_ALIGN);
        let Some(start) = self.top.checked_add(align - 1).map(|top| top & !(align - 1)) else {
            return std::ptr::null_mut();
        };
        if start.checked_add(size).is_none_or(|end| end > self.end) {
            let pages = size.checked_add(align).and_then(|b| b.checked_next_multiple_of(PAGE));
            let Some(pages) = pages.map(|b| b / PAGE) else { return std::ptr::null_mut() };
            let Some(grown) = grow(pages) else { return std::ptr::null_mut() };
            // Memory only this allocator grows follows on from our end; otherwise the rest of
            // the old end is left unused.
            if grown != self.end {
                self.top = grown;
            }
            self.end = grown + pages * PAGE;
            return self.cut(size);
        }
        self.top = start + size;
        start as *mut u8
    }
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: usize) -> Option<usize> {
    let before = core::arch::wasm32::memory_grow(0, pages);
    (before != usize::MAX).then(|| before * PAGE)
}

/// Off WebAssembly (this crate's unit tests): pages from the system allocator, never given
/// back.
#[cfg(not(target_arch = "wasm32"))]
fn grow(pages: usize) -> Option<usize> {
    let layout = Layout::from_size_align(pages * PAGE, PAGE).ok()?;
    // SAFETY: the layout's size is not zero.
    let pages = unsafe { std::alloc::System.alloc(layout) };
    (!pages.is_null()).then_some(pages as usize)
}

// SAFETY: blocks are never handed out twice (a block is either cut fresh from the unused end
// or popped off its free list), are at least as large and as aligned as asked (see `class`),
// and stay ours for good: nothing is given back to the browser.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some((index, size)) = class(layout) else { return std::ptr::null_mut() };
        // SAFETY: one thread, and no call of this allocator is in progress (see `Sync`).
        let state = unsafe { &mut *self.0.get() };
        match state.free[index] {
            0 => state.cut(size),
            block => {
                // SAFETY: a free block of this class holds the next free block's address.
                state.free[index] = unsafe { *(block as *const usize) };
                block as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The layout it was allocated with (the caller's promise), so the same class.
        let Some((index, _)) = class(layout) else { return };
        // SAFETY: as in `alloc`.
        let state = unsafe { &mut *self.0.get() };
        // SAFETY: the block is ours and free now, at least 16 bytes and aligned for a usize.
        unsafe { *(ptr as *mut usize) = state.free[index] };
        state.free[index] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid layout for `new_size` with the same alignment.
        let wanted = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // A block that still fits its class stays where it is (a growing Vec often does).
        if class(layout).is_some() && class(layout) == class(wanted) {
            return ptr;
        }
        // SAFETY: as `GlobalAlloc::realloc`'s own default: a new block, the bytes, the old freed.
        unsafe {
            let moved = self.alloc(wanted);
            if !moved.is_null() {
                std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            moved
        }
    }
}

#[cfg(test)]
#[allow(clippy::undocumented_unsafe_blocks)] // Every call frees with the layout it allocated.
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn sizes_round_up_to_a_power_of_two_and_alignment() {
        assert_eq!(class(layout(0, 1)), Some((0, 16)));
        assert_eq!(class(layout(16, 8)), Some((0, 16)));
        assert_eq!(class(layout(17, 1)), Some((1, 32)));
        assert_eq!(class(layout(3, 64)), Some((2, 64)));
        assert_eq!(class(layout(100_000, 8)), Some((13, 131_072)));
        assert_eq!(class(layout(8, 8_192)), None, "more alignment than blocks have");
    }

    #[test]
    fn blocks_are_aligned_apart_and_reused_once_freed() {
        let heap = Heap::new();
        let mut live: Vec<(*mut u8, Layout)> = Vec::new();
        // Sizes and alignments of many kinds, each block filled with its own byte.
        for n in 0..2_000usize {
            let l = layout((n * 37) % 5_000 + 1, 1 << (n % 7));
            let p = unsafe { heap.alloc(l) };
            assert!(!p.is_null());
            assert_eq!(p as usize % l.align(), 0, "aligned");
            unsafe { std::ptr::write_bytes(p, (n % 251) as u8, l.size()) };
            live.push((p, l));
            // Every third block is freed at once: its memory serves later ones.
            if n % 3 == 0 {
                let (p, l) = live.swap_remove(live.len() / 2);
                unsafe { heap.dealloc(p, l) };
            }
        }
        // No block was handed out twice: each still holds its own fill.
        for (p, l) in &live {
            let first = unsafe { **p };
            let bytes = unsafe { std::slice::from_raw_parts(*p, l.size()) };
            assert!(bytes.iter().all(|b| *b == first));
        }
        let (p, l) = live.pop().unwrap();
        unsafe { heap.dealloc(p, l) };
        assert_eq!(unsafe { heap.alloc(l) }, p, "the freed block serves the next request");
    }

    #[test]
    fn realloc_keeps_the_bytes_and_the_block_while_it_fits() {
        let heap = Heap::new();
        let l = layout(20, 4);
        let p = unsafe { heap.alloc(l) };
        unsafe { std::ptr::copy_nonoverlapping(b"twenty bytes, more..".as_ptr(), p, 20) };
        assert_eq!(unsafe { heap.realloc(p, l, 30) }, p, "30 bytes still fit 32");
        let moved = unsafe { heap.realloc(p, layout(30, 4), 1_000) };
        assert_ne!(moved, p);
        let bytes = unsafe { std::slice::from_raw_parts(moved, 20) };
        assert_eq!(bytes, b"twenty bytes, more..");
    }

    #[test]
    fn a_large_block_grows_the_heap() {
        let heap = Heap::new();
        let l = layout(3 * PAGE, 8);
        let p = unsafe { heap.alloc(l) };
        assert!(!p.is_null());
        unsafe { std::ptr::write_bytes(p, 7, l.size()) };
        assert!(!unsafe { heap.alloc(layout(16, 8)) }.is_null());
    }
}
