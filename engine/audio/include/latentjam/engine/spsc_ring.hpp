// A bounded single-producer single-consumer ring. Wait-free, allocation-free after construction:
// safe to use from the audio thread on either side.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>

namespace latentjam::engine {

template <class T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t capacity) : capacity_(capacity + 1), items_(new T[capacity_]) {}

  // Producer side. Copies as many of `items` as fit; returns how many.
  std::size_t push(const T* items, std::size_t count) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    const std::size_t free = (tail + capacity_ - head - 1) % capacity_;
    const std::size_t n = count < free ? count : free;
    for (std::size_t i = 0; i < n; ++i) items_[(head + i) % capacity_] = items[i];
    head_.store((head + n) % capacity_, std::memory_order_release);
    return n;
  }
  bool push(const T& item) { return push(&item, 1) == 1; }

  // Consumer side. Moves up to `count` items out; returns how many.
  std::size_t pop(T* out, std::size_t count) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_acquire);
    const std::size_t used = (head + capacity_ - tail) % capacity_;
    const std::size_t n = count < used ? count : used;
    for (std::size_t i = 0; i < n; ++i) out[i] = items_[(tail + i) % capacity_];
    tail_.store((tail + n) % capacity_, std::memory_order_release);
    return n;
  }
  bool pop(T& out) { return pop(&out, 1) == 1; }

  std::size_t size() const {
    return (head_.load(std::memory_order_acquire) + capacity_ -
            tail_.load(std::memory_order_acquire)) %
           capacity_;
  }

 private:
  const std::size_t capacity_;
  std::unique_ptr<T[]> items_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace latentjam::engine
