using System.Collections;
using System.Diagnostics.CodeAnalysis;
using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom;

/// <summary>
/// A DICOM data set: attributes kept in tag order. Items of sequences are data sets too, and
/// know their parent so that the Specific Character Set is inherited as PS3.5 7.5.3 says.
/// Reading fills it in order, so building one costs an append per element.
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomAttribute>
{
    private readonly List<DicomAttribute> _attributes;
    private DicomCharacterSet? _characterSet;

    /// <summary>Creates an empty data set.</summary>
    public DicomDataset() => _attributes = [];

    /// <summary>Creates a data set holding the given attributes.</summary>
    public DicomDataset(params IEnumerable<DicomAttribute> attributes) : this()
    {
        foreach (var attribute in attributes)
            AddOrUpdate(attribute);
    }

    internal DicomDataset(int capacity) => _attributes = new List<DicomAttribute>(capacity);

    /// <summary>The data set this one is an item of, or null at the top level.</summary>
    public DicomDataset? Parent { get; internal set; }

    /// <summary>
    /// The character set assumed for a top-level data set without (0008,0005): many devices in
    /// Chinese hospitals write GB18030 or GBK text and never declare it. Null means the default
    /// repertoire, as the standard says.
    /// </summary>
    public DicomCharacterSet? FallbackCharacterSet { get; set; }

    /// <summary>The number of attributes.</summary>
    public int Count => _attributes.Count;

    /// <summary>
    /// The character set that applies to this data set's text: its own (0008,0005) if present,
    /// else its parent's, else the default repertoire.
    /// </summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (_characterSet is not null)
                return _characterSet;
            if (TryGetAttribute(DicomTag.SpecificCharacterSet, out var attribute) && attribute is DicomElement { IsLoaded: true } element)
            {
                var raw = System.Text.Encoding.ASCII.GetString(DicomElement.TrimPadding(element.RawValue.Span, DicomVR.CS));
                return _characterSet = DicomCharacterSet.Parse(raw);
            }
            return Parent?.CharacterSet ?? FallbackCharacterSet ?? DicomCharacterSet.Default;
        }
    }

    /// <summary>True when the data set has an attribute with this tag (even an empty one).</summary>
    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    /// <summary>The attribute with this tag.</summary>
    public bool TryGetAttribute(DicomTag tag, [NotNullWhen(true)] out DicomAttribute? attribute)
    {
        var index = IndexOf(tag);
        attribute = index >= 0 ? _attributes[index] : null;
        return attribute is not null;
    }

    /// <summary>The attribute with this tag.</summary>
    /// <exception cref="DicomException">There is none.</exception>
    public DicomAttribute GetAttribute(DicomTag tag) =>
        TryGetAttribute(tag, out var attribute) ? attribute : throw new DicomException($"The data set has no {tag}.");

    /// <summary>The sequence with this tag, or null when absent or not a sequence.</summary>
    public DicomSequence? GetSequenceOrDefault(DicomTag tag) =>
        TryGetAttribute(tag, out var attribute) ? attribute as DicomSequence : null;

    /// <summary>Adds an attribute, failing if one with the same tag exists.</summary>
    /// <exception cref="DicomException">The tag is already present.</exception>
    public DicomDataset Add(DicomAttribute attribute)
    {
        var index = IndexOf(attribute.Tag);
        if (index >= 0)
            throw new DicomException($"The data set already has {attribute.Tag}; use AddOrUpdate to replace it.");
        Insert(~index, attribute);
        return this;
    }

    /// <summary>Adds an attribute or replaces the one with the same tag.</summary>
    public DicomDataset AddOrUpdate(DicomAttribute attribute)
    {
        var index = IndexOf(attribute.Tag);
        if (index >= 0)
        {
            _attributes[index] = attribute;
            OnReplaced(attribute);
        }
        else
        {
            Insert(~index, attribute);
        }
        return this;
    }

    /// <summary>Removes the attribute with this tag; true if there was one.</summary>
    public bool Remove(DicomTag tag)
    {
        var index = IndexOf(tag);
        if (index < 0)
            return false;
        _attributes.RemoveAt(index);
        if (tag == DicomTag.SpecificCharacterSet)
            _characterSet = null;
        return true;
    }

    /// <summary>Removes every attribute for which <paramref name="predicate"/> is true.</summary>
    public int RemoveAll(Predicate<DicomAttribute> predicate)
    {
        var removed = _attributes.RemoveAll(predicate);
        _characterSet = null;
        return removed;
    }

    /// <summary>A shallow copy: the same attributes (which are immutable) in a new data set.</summary>
    public DicomDataset Clone()
    {
        var copy = new DicomDataset(_attributes.Count);
        copy._attributes.AddRange(_attributes);
        return copy;
    }

    /// <inheritdoc />
    public IEnumerator<DicomAttribute> GetEnumerator() => _attributes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Appends an attribute read from the wire. Input is nearly always in tag order, so this is an
    /// append; out-of-order input is inserted in place, and a repeated tag is an error.
    /// </summary>
    internal bool TryAppendFromReader(DicomAttribute attribute)
    {
        var count = _attributes.Count;
        if (count == 0 || _attributes[count - 1].Tag < attribute.Tag)
        {
            _attributes.Add(attribute);
        }
        else
        {
            var index = IndexOf(attribute.Tag);
            if (index >= 0)
                return false;
            _attributes.Insert(~index, attribute);
        }
        if (attribute is DicomSequence sequence)
        {
            foreach (var item in sequence.Items)
                item.Parent = this;
        }
        return true;
    }

    private void Insert(int index, DicomAttribute attribute)
    {
        _attributes.Insert(index, attribute);
        OnReplaced(attribute);
    }

    private void OnReplaced(DicomAttribute attribute)
    {
        if (attribute.Tag == DicomTag.SpecificCharacterSet)
            _characterSet = null;
        if (attribute is DicomSequence sequence)
        {
            foreach (var item in sequence.Items)
                item.Parent = this;
        }
    }

    private int IndexOf(DicomTag tag)
    {
        // Binary search over the sorted list; most lookups hit near the end while reading.
        int low = 0, high = _attributes.Count - 1;
        var value = tag.Value;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            var current = _attributes[mid].Tag.Value;
            if (current == value)
                return mid;
            if (current < value)
                low = mid + 1;
            else
                high = mid - 1;
        }
        return ~low;
    }
}
