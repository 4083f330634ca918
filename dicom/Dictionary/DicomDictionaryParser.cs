using System.Collections.Immutable;
using System.Globalization;
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
            var tag = new DicomTag(uint.Parse(fields.Next(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
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
                Hex(fields.Next()), Hex(fields.Next()), Hex(fields.Next()), Hex(fields.Next()), Hex(fields.Next()), Hex(fields.Next()));
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

    private static ushort Hex(ReadOnlySpan<byte> text) =>
        ushort.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>
    /// A few dozen distinct VR lists and multiplicities recur thousands of times; sharing one
    /// instance of each keeps the dictionary small and its construction quick.
    /// </summary>
    internal sealed class SharedValues
    {
        private readonly Dictionary<ulong, ImmutableArray<DicomVR>> _vrs = [];
        private readonly Dictionary<ulong, string> _multiplicities = [];

        public ImmutableArray<DicomVR> ValueRepresentations(ReadOnlySpan<byte> field)
        {
            var key = Pack(field);
            if (_vrs.TryGetValue(key, out var known))
                return known;
            var builder = ImmutableArray.CreateBuilder<DicomVR>();
            if (field is not [(byte)'-'])
            {
                // "OB/OW": two-letter codes separated by '/'.
                for (var i = 0; i + 1 < field.Length; i += 3)
                {
                    var vr = DicomVRExtensions.FromBytes(field[i], field[i + 1]);
                    if (vr == DicomVR.None)
                        throw new DicomException($"The generated dictionary names an unknown VR '{Encoding.ASCII.GetString(field)}'.");
                    builder.Add(vr);
                }
            }
            return _vrs[key] = builder.ToImmutable();
        }

        public string Multiplicity(ReadOnlySpan<byte> field)
        {
            if (field.Length > 8)
                return Encoding.ASCII.GetString(field);
            var key = Pack(field);
            if (!_multiplicities.TryGetValue(key, out var known))
                _multiplicities[key] = known = Encoding.ASCII.GetString(field);
            return known;
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
