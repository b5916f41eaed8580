"""picamera2.allocators: the booth asks for a PersistentAllocator (buffers survive switch_mode)."""


class Allocator:
    pass


class DmaAllocator(Allocator):
    pass


class PersistentAllocator(Allocator):
    pass
