//! The insertion-ordered registration table shared by [`Poll`](crate::Poll) and
//! [`Select`](crate::Select): Python's poll object's `dict` of fd to mask.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use select_core::{Error, RawFd, Result};

/// Locks `mutex`, recovering the data if a thread panicked while holding it: every critical
/// section here leaves the data consistent, so a poisoned lock holds nothing half-done.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes `mutex` without blocking, or fails with [`Error::ConcurrentWait`] naming `object`.
pub(crate) fn try_lock<'a, T>(
    mutex: &'a Mutex<T>,
    object: &'static str,
) -> Result<MutexGuard<'a, T>> {
    match mutex.try_lock() {
        Ok(guard) => Ok(guard),
        Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => Err(Error::ConcurrentWait { object }),
    }
}

/// The registrations of a [`Poll`](crate::Poll) or [`Select`](crate::Select): a [`Table`]
/// behind a lock, and a generation counter that every change bumps before the lock is
/// released.
///
/// A wait keeps the generation its kernel array or sets were built at and takes the lock only
/// when [`generation`](Registrations::generation) has moved, so a steady-state wait takes no
/// lock here; a change on another thread is seen by every wait that starts after it returns.
#[derive(Debug)]
pub(crate) struct Registrations<M> {
    table: Mutex<Table<M>>,
    generation: AtomicU64,
}

impl<M: Copy + PartialEq> Registrations<M> {
    /// No registrations, at generation 0 (which an empty array or set matches).
    pub(crate) fn new() -> Registrations<M> {
        Registrations { table: Mutex::new(Table::new()), generation: AtomicU64::new(0) }
    }

    /// The table, locked, for reading.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Table<M>> {
        lock(&self.table)
    }

    /// Runs `change` on the open table (or fails with [`Error::Closed`] naming `object`) and,
    /// if it changed the registrations, bumps the generation before the lock is released.
    pub(crate) fn change<T>(
        &self,
        object: &'static str,
        change: impl FnOnce(&mut Table<M>) -> T,
    ) -> Result<T> {
        let mut table = lock(&self.table);
        if table.is_closed() {
            return Err(Error::Closed { object });
        }
        let result = change(&mut table);
        if table.take_changed() {
            self.generation.fetch_add(1, Ordering::Release);
        }
        Ok(result)
    }

    /// The current generation: a wait whose copy was built at another one rebuilds it.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Runs `copy` on the locked table and returns its result with the generation it saw
    /// (changes bump it under the same lock, so the two agree).
    pub(crate) fn copy<T>(&self, copy: impl FnOnce(&Table<M>) -> T) -> (T, u64) {
        let table = lock(&self.table);
        (copy(&table), self.generation.load(Ordering::Relaxed))
    }

    /// Forgets every registration and closes the table; `&mut self` rules out a wait or a
    /// change in progress.
    pub(crate) fn close(&mut self) {
        self.table.get_mut().unwrap_or_else(PoisonError::into_inner).close();
        *self.generation.get_mut() += 1;
    }
}

/// Registrations in insertion order, with O(1) lookup, and a flag saying whether they changed
/// since the wait last copied them.
///
/// Re-registering keeps the entry's position (CPython's dict keeps the key's slot);
/// unregistering leaves a hole that later inserts never fill, so an fd unregistered and
/// registered again moves to the end, as in CPython. Holes are compacted away once they
/// outnumber the live entries, which keeps every operation amortised O(1).
#[derive(Debug)]
pub(crate) struct Table<M> {
    slots: Vec<Option<(RawFd, M)>>,
    index: HashMap<RawFd, usize>,
    changed: bool,
    closed: bool,
}

impl<M: Copy + PartialEq> Table<M> {
    /// An empty, open table.
    pub(crate) fn new() -> Table<M> {
        Table { slots: Vec::new(), index: HashMap::new(), changed: false, closed: false }
    }

    /// How many descriptors are registered.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the owner was closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Forgets every registration and marks the table closed.
    pub(crate) fn close(&mut self) {
        self.slots = Vec::new();
        self.index = HashMap::new();
        self.changed = true;
        self.closed = true;
    }

    /// The mask of `fd`, if registered.
    pub(crate) fn get(&self, fd: RawFd) -> Option<M> {
        self.index.get(&fd).and_then(|&slot| self.slots[slot]).map(|(_, mask)| mask)
    }

    /// Registers `fd` with `mask`, or replaces its mask in place.
    pub(crate) fn insert(&mut self, fd: RawFd, mask: M) {
        if let Some(&slot) = self.index.get(&fd) {
            self.set(slot, fd, mask);
        } else {
            self.index.insert(fd, self.slots.len());
            self.slots.push(Some((fd, mask)));
            self.changed = true;
        }
    }

    /// Replaces the mask of a registered `fd`; returns `false` if it is not registered.
    pub(crate) fn modify(&mut self, fd: RawFd, mask: M) -> bool {
        match self.index.get(&fd) {
            Some(&slot) => {
                self.set(slot, fd, mask);
                true
            }
            None => false,
        }
    }

    fn set(&mut self, slot: usize, fd: RawFd, mask: M) {
        // Setting the same mask again changes nothing the kernel sees, so the array is kept.
        if self.slots[slot] != Some((fd, mask)) {
            self.slots[slot] = Some((fd, mask));
            self.changed = true;
        }
    }

    /// Unregisters `fd`; returns `false` if it is not registered.
    pub(crate) fn remove(&mut self, fd: RawFd) -> bool {
        let Some(slot) = self.index.remove(&fd) else {
            return false;
        };
        self.slots[slot] = None;
        self.changed = true;
        if self.slots.len() > 16 && self.index.len() * 2 < self.slots.len() {
            self.compact();
        }
        true
    }

    /// Drops the holes and renumbers the index, keeping the order.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        for (slot, entry) in self.slots.iter().enumerate() {
            if let Some((fd, _)) = entry {
                self.index.insert(*fd, slot);
            }
        }
    }

    /// The registrations in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (RawFd, M)> + '_ {
        self.slots.iter().filter_map(|entry| *entry)
    }

    /// Whether the registrations changed since the last call, clearing the flag.
    pub(crate) fn take_changed(&mut self) -> bool {
        std::mem::replace(&mut self.changed, false)
    }
}
