using System.Diagnostics.CodeAnalysis;

namespace OrleansImaging.Dicom;

/// <summary>
/// Values keyed by a 32-bit tag, held as parallel sorted arrays and found by binary search.
/// The generated tables arrive sorted, so building costs one pass — a frozen dictionary of the
/// same five thousand tags takes about 10 ms to analyse — and lookups allocate nothing.
/// </summary>
internal sealed class TagIndex<T>
    where T : class
{
    private readonly uint[] _keys;
    private readonly T[] _values;

    /// <summary>
    /// Indexes <paramref name="values"/> by <paramref name="keys"/>, taking ownership of both
    /// arrays; on a repeated key the later value wins.
    /// </summary>
    public TagIndex(uint[] keys, T[] values)
    {
        if (keys.Length != values.Length)
            throw new ArgumentException("Every key needs one value.", nameof(values));
        var sorted = true;
        for (var i = 1; i < keys.Length && sorted; i++)
            sorted = keys[i - 1] <= keys[i];
        if (!sorted)
            Array.Sort(keys, values);
        var count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (count > 0 && keys[count - 1] == keys[i])
                count--;
            keys[count] = keys[i];
            values[count] = values[i];
            count++;
        }
        _keys = count == keys.Length ? keys : keys[..count];
        _values = count == values.Length ? values : values[..count];
    }

    public int Count => _keys.Length;

    public bool TryGetValue(uint key, [NotNullWhen(true)] out T? value)
    {
        var keys = _keys;
        int low = 0, high = keys.Length - 1;
        while (low <= high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            var candidate = keys[middle];
            if (candidate == key)
            {
                value = _values[middle];
                return true;
            }
            if (candidate < key)
                low = middle + 1;
            else
                high = middle - 1;
        }
        value = null;
        return false;
    }
}
