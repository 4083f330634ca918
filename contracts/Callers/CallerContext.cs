using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime;

namespace OrleansImaging.Contracts.Callers;

/// <summary>
/// Carries the <see cref="Caller"/> on grain calls through Orleans <see cref="RequestContext"/>, sealed with an HMAC
/// under a key only the processes of this deployment hold. Only trusted infrastructure sets it (the api after
/// authenticating a request, the silo for its own work); the incoming grain-call filter refuses calls to our grains
/// without a caller, and <see cref="Current"/> sees no caller unless its seal verifies. So a process that reaches a
/// silo or gateway port directly (any local account can open a loopback socket) cannot name itself an operator or
/// another hospital's doctor: it cannot compute the seal (S6.4, S7.3).
/// </summary>
public static class CallerContext
{
    /// <summary>The <see cref="RequestContext"/> key of the caller. Kept short because it travels with every call.</summary>
    public const string Key = "oi-caller";

    /// <summary>The <see cref="RequestContext"/> key of the caller's seal.</summary>
    public const string SealKey = "oi-caller-seal";

    private static byte[] s_key = RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// Sets the sealing key. Every process of one deployment must use the same key (a cluster's silos and api hosts);
    /// a single process (the embedded default, the tests) keeps the random key it started with, known to no one else.
    /// </summary>
    /// <param name="key">At least 32 bytes of secret.</param>
    public static void UseSealingKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < 32)
            throw new ArgumentException("A sealing key has at least 32 bytes.", nameof(key));
        Volatile.Write(ref s_key, key.ToArray());
    }

    /// <summary>Puts <paramref name="caller"/>, sealed, on the calls made from the current async flow.</summary>
    public static void Set(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        RequestContext.Set(Key, caller);
        RequestContext.Set(SealKey, Seal(caller));
    }

    /// <summary>The caller of the current call, or null if none was set or its seal does not verify.</summary>
    public static Caller? Current =>
        RequestContext.Get(Key) is Caller caller && RequestContext.Get(SealKey) is byte[] seal && CryptographicOperations.FixedTimeEquals(seal, Seal(caller))
            ? caller
            : null;

    /// <summary>Removes the caller from the current async flow.</summary>
    public static void Clear()
    {
        RequestContext.Remove(Key);
        RequestContext.Remove(SealKey);
    }

    /// <summary>Sets <paramref name="caller"/> until the returned scope is disposed, then restores what was there.</summary>
    public static IDisposable Use(Caller caller)
    {
        var previous = Current;
        Set(caller);
        return new Restore(previous);
    }

    /// <summary>HMAC-SHA256 of every field, each length-prefixed so that no two callers share an encoding.</summary>
    private static byte[] Seal(Caller caller)
    {
        var buffer = new SealInput(256);
        buffer.Int((int)caller.Kind);
        buffer.Text(caller.Id);
        buffer.Text(caller.TenantId);
        buffer.Int((int)caller.Roles);
        buffer.Int(caller.Scopes.Count);
        foreach (var scope in caller.Scopes)
            buffer.Text(scope);
        return HMACSHA256.HashData(Volatile.Read(ref s_key), buffer.Written);
    }

    private sealed class SealInput(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public void Int(int value)
        {
            Ensure(4);
            BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(_length), value);
            _length += 4;
        }

        public void Text(string? value)
        {
            value ??= "";
            var count = Encoding.UTF8.GetByteCount(value);
            Int(count);
            Ensure(count);
            _length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(_length));
        }

        private void Ensure(int more)
        {
            if (_length + more > _bytes.Length)
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + more));
        }
    }

    private sealed class Restore(Caller? previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous is null)
            {
                Clear();
            }
            else
            {
                Set(previous);
            }
        }
    }
}
