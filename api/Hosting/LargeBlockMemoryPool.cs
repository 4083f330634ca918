using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace OrleansImaging.Api.Hosting;

/// <summary>
/// Kestrel's buffers in 64 KiB blocks instead of its 4 KiB ones. STOW-RS bodies are hundreds of megabytes: with
/// 4 KiB blocks every socket receive, TLS decrypt and pipe read moves at most 4 KiB, and that per-call overhead was
/// a third of the server's CPU per instance in the ingest prototype (see the architecture notes). Registered as
/// Kestrel's <see cref="IMemoryPoolFactory{T}"/> (new in .NET 10). Blocks are pinned (the pinned object heap: the
/// socket layer pins what it receives into) and reused; at most <see cref="MaxPooledBlocks"/> are kept when idle.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of every block handed out (larger requests get an unpooled array of their size).</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Idle blocks kept for reuse (4 MiB); more are left to the GC.</summary>
    public const int MaxPooledBlocks = 64;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
            return new Block(this, GC.AllocateUninitializedArray<byte>(minBufferSize, pinned: true), pooled: false);
        if (_free.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _freeCount);
            return new Block(this, array, pooled: true);
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), pooled: true);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _free.Clear();

    private void Return(byte[] array)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxPooledBlocks)
        {
            _free.Enqueue(array);
            return;
        }
        Interlocked.Decrement(ref _freeCount);
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array, bool pooled) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned && pooled)
                pool.Return(returned);
        }
    }
}

/// <summary>Makes Kestrel (sockets and TLS) use <see cref="LargeBlockMemoryPool"/>.</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
