using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansImaging.Dicom;

/// <summary>
/// Turns the generated tables of <see cref="DicomDictionaryData"/> into entries. The tables are
/// tab-separated ASCII lines; see the generated file for the columns.
/// </summary>
internal static class DicomDictionaryParser
{
    /// <summary>Parses the single-tag standard table: tag, VRs, VM, retired, keyword.</summary>
    public static List<DicomDictionaryEntry> ParseExact(ReadOnlySpan<byte> table, SharedValues shared)
    {
        var entries = new List<DicomDictionaryEntry>(5000);
        foreach (var line in new LineEnumerator(table))
        {
            var fields = new FieldReader(line);
            var tag = new DicomTag(Hex(fields.Next()));
            var vrs = shared.ValueRepresentations(fields.Next());
            var vm = shared.Multiplicity(fields.Next());
            var retired = fields.Next() is [(byte)'R'];
            var keyword = Encoding.ASCII.GetString(fields.Next());
            entries.Add(new DicomDictionaryEntry(DicomTagRange.Single(tag), keyword, vrs, vm, retired, privateCreator: null));
        }
        return entries;
    }

    /// <summary>
    /// Parses a range table: first/last/step of group, first/last/step of element, VRs, VM,
    /// retired, keyword and, when <paramref name="withCreator"/>, the private creator.
    /// </summary>
    public static List<DicomDictionaryEntry> ParseRanges(ReadOnlySpan<byte> table, SharedValues shared, bool withCreator)
    {
        var entries = new List<DicomDictionaryEntry>();
        string? creator = null;
        foreach (var line in new LineEnumerator(table))
        {
            var fields = new FieldReader(line);
            var range = new DicomTagRange(
                Hex16(fields.Next()), Hex16(fields.Next()), Hex16(fields.Next()), Hex16(fields.Next()), Hex16(fields.Next()), Hex16(fields.Next()));
            var vrs = shared.ValueRepresentations(fields.Next());
            var vm = shared.Multiplicity(fields.Next());
            var retired = fields.Next() is [(byte)'R'];
            var keyword = Encoding.ASCII.GetString(fields.Next());
            if (withCreator)
            {
                // The table is sorted by creator, so consecutive entries share one string.
                var creatorBytes = fields.Next();
                if (creator is null || !Ascii.Equals(creatorBytes, creator))
                    creator = Encoding.ASCII.GetString(creatorBytes);
            }
            entries.Add(new DicomDictionaryEntry(range, keyword, vrs, vm, retired, creator));
        }
        return entries;
    }

    private static ushort Hex16(ReadOnlySpan<byte> text) =>
        text.Length == 4 ? (ushort)Hex(text) : throw Malformed(text);

    // Hand-written rather than uint.Parse: the generic UTF-8 number parser costs milliseconds
    // of JIT at start-up, and these fields are always upper-case hexadecimal.
    private static uint Hex(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > 8)
            throw Malformed(text);
        uint value = 0;
        foreach (var c in text)
        {
            var digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0' : c is >= (byte)'A' and <= (byte)'F' ? c - 'A' + 10 : throw Malformed(text);
            value = (value << 4) | (uint)digit;
        }
        return value;
    }

    private static DicomException Malformed(ReadOnlySpan<byte> field) =>
        new($"The generated dictionary has a malformed field '{Encoding.ASCII.GetString(field)}'.");

    /// <summary>
    /// A few dozen distinct VR lists and multiplicities recur thousands of times; sharing one
    /// instance of each keeps the dictionary small and its construction quick. So few that a
    /// linear search beats the JIT cost of a dictionary over value types.
    /// </summary>
    internal sealed class SharedValues
    {
        // Parallel arrays rather than List<(key, value)>: each generic instantiation over a
        // value type is JIT-compiled at start-up, which costs more than these searches.
        private ulong[] _vrKeys = new ulong[64];
        private ImmutableArray<DicomVR>[] _vrValues = new ImmutableArray<DicomVR>[64];
        private int _vrCount;
        private ulong[] _vmKeys = new ulong[64];
        private string[] _vmValues = new string[64];
        private int _vmCount;

        public ImmutableArray<DicomVR> ValueRepresentations(ReadOnlySpan<byte> field)
        {
            var key = Pack(field);
            var found = Array.IndexOf(_vrKeys, key, 0, _vrCount);
            if (found >= 0)
                return _vrValues[found];
            // "OB/OW": two-letter codes separated by '/'; "-" for none.
            var vrs = field is [(byte)'-'] ? [] : new DicomVR[(field.Length + 1) / 3];
            for (var i = 0; i < vrs.Length; i++)
            {
                vrs[i] = DicomVRExtensions.FromBytes(field[3 * i], field[(3 * i) + 1]);
                if (vrs[i] == DicomVR.None)
                    throw Malformed(field);
            }
            var value = ImmutableCollectionsMarshal.AsImmutableArray(vrs);
            Remember(ref _vrKeys, ref _vrValues, ref _vrCount, key, value);
            return value;
        }

        public string Multiplicity(ReadOnlySpan<byte> field)
        {
            if (field.Length > 8)
                return Encoding.ASCII.GetString(field);
            var key = Pack(field);
            var found = Array.IndexOf(_vmKeys, key, 0, _vmCount);
            if (found >= 0)
                return _vmValues[found];
            var value = Encoding.ASCII.GetString(field);
            Remember(ref _vmKeys, ref _vmValues, ref _vmCount, key, value);
            return value;
        }

        private static void Remember<T>(ref ulong[] keys, ref T[] values, ref int count, ulong key, T value)
        {
            if (count == keys.Length)
            {
                Array.Resize(ref keys, count * 2);
                Array.Resize(ref values, count * 2);
            }
            keys[count] = key;
            values[count++] = value;
        }

        private static ulong Pack(ReadOnlySpan<byte> field)
        {
            if (field.Length > 8)
                throw new DicomException($"The generated dictionary has an unexpectedly long field '{Encoding.ASCII.GetString(field)}'.");
            ulong key = 0;
            foreach (var b in field)
                key = (key << 8) | b;
            return key;
        }
    }

    /// <summary>Non-empty lines of a table, without line terminators.</summary>
    private ref struct LineEnumerator(ReadOnlySpan<byte> remaining)
    {
        private ReadOnlySpan<byte> _remaining = remaining;

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly LineEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_remaining.IsEmpty)
            {
                var end = _remaining.IndexOf((byte)'\n');
                var line = end < 0 ? _remaining : _remaining[..end];
                _remaining = end < 0 ? default : _remaining[(end + 1)..];
                if (line is [.., (byte)'\r'])
                    line = line[..^1];
                if (!line.IsEmpty)
                {
                    Current = line;
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Tab-separated fields of one line.</summary>
    private ref struct FieldReader(ReadOnlySpan<byte> line)
    {
        private ReadOnlySpan<byte> _rest = line;
        private bool _done;

        public ReadOnlySpan<byte> Next()
        {
            if (_done)
                throw new DicomException("The generated dictionary has a line with too few fields.");
            var tab = _rest.IndexOf((byte)'\t');
            if (tab < 0)
            {
                _done = true;
                return _rest;
            }
            var field = _rest[..tab];
            _rest = _rest[(tab + 1)..];
            return field;
        }
    }
}
