namespace OrleansImaging.Dicom;

public sealed partial class DicomFragmentSequence
{
    /// <summary>
    /// Groups the fragments into frames (PS3.5 A.4): by the Extended Offset Table when given
    /// ((7FE0,0001), offsets from the first fragment's item tag), else by the Basic Offset Table,
    /// else one frame of everything for single-frame images, one fragment per frame when the counts
    /// match, and otherwise by the start-of-image markers of JPEG (FFD8) and JPEG 2000 (FF4F).
    /// </summary>
    /// <exception cref="DicomException">The offsets are inconsistent with the fragments, or frames cannot be told apart.</exception>
    public IReadOnlyList<DicomFragment[]> SplitIntoFrames(int numberOfFrames, IReadOnlyList<ulong>? extendedOffsetTable = null)
    {
        if (numberOfFrames < 1)
            throw new DicomException($"Number of Frames must be at least 1, not {numberOfFrames}.");
        if (_fragments.Count == 0)
            throw new DicomException("The encapsulated pixel data has no fragments.");
        IReadOnlyList<ulong>? offsets = extendedOffsetTable is { Count: > 0 } ? extendedOffsetTable : null;
        if (offsets is null && BasicOffsetTable.Length >= 4)
            offsets = [.. GetBasicOffsets().Select(o => (ulong)o)];
        if (offsets is not null)
            return ByOffsets(offsets, numberOfFrames);
        if (numberOfFrames == 1)
            return [[.. _fragments]];
        if (_fragments.Count == numberOfFrames)
            return [.. _fragments.Select(f => new[] { f })];
        return ByMarkers(numberOfFrames);
    }

    private List<DicomFragment[]> ByOffsets(IReadOnlyList<ulong> offsets, int numberOfFrames)
    {
        if (offsets.Count != numberOfFrames)
            throw new DicomException($"The offset table has {offsets.Count} entries for {numberOfFrames} frames.");
        var frames = new List<DicomFragment[]>(numberOfFrames);
        var current = new List<DicomFragment>();
        ulong position = 0;
        var next = 1;
        for (var i = 0; i < _fragments.Count; i++)
        {
            if (next < offsets.Count && position == offsets[next])
            {
                frames.Add([.. current]);
                current.Clear();
                next++;
            }
            else if (next < offsets.Count && position > offsets[next])
            {
                throw new DicomException($"Offset {offsets[next]} of frame {next + 1} does not fall on a fragment boundary.");
            }
            current.Add(_fragments[i]);
            position += 8 + (ulong)_fragments[i].Length;
        }
        frames.Add([.. current]);
        if (frames.Count != numberOfFrames || offsets[0] != 0)
            throw new DicomException($"The offset table describes {numberOfFrames} frames, but the fragments give {frames.Count}.");
        return frames;
    }

    private List<DicomFragment[]> ByMarkers(int numberOfFrames)
    {
        var frames = new List<DicomFragment[]>(numberOfFrames);
        var current = new List<DicomFragment>();
        foreach (var fragment in _fragments)
        {
            if (current.Count > 0 && StartsAFrame(fragment))
            {
                frames.Add([.. current]);
                current.Clear();
            }
            current.Add(fragment);
        }
        frames.Add([.. current]);
        if (frames.Count != numberOfFrames)
            throw new DicomException($"Without an offset table, {_fragments.Count} fragments cannot be split into {numberOfFrames} frames.");
        return frames;
    }

    private static bool StartsAFrame(DicomFragment fragment)
    {
        if (!fragment.Data.IsEmpty && fragment.Data.Length >= 2)
        {
            var head = fragment.Data.Span;
            return head[0] == 0xFF && head[1] is 0xD8 or 0x4F;
        }
        return false;
    }
}
