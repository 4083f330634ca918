namespace OrleansImaging.Dicom.Json;

/// <summary>How <see cref="DicomJsonWriter"/> writes a data set as DICOM JSON (PS3.18 Annex F).</summary>
public sealed class DicomJsonOptions
{
    /// <summary>Inline binary, every attribute, compact output.</summary>
    public static DicomJsonOptions Default { get; } = new();

    /// <summary>
    /// Gives the URI a bulk data value is retrievable at, for binary attributes (OB, OD, OF, OL, OV,
    /// OW, UN and encapsulated pixel data) of at least <see cref="BulkDataThreshold"/> bytes and for
    /// values the reader left in their source. Returning null writes the value inline instead.
    /// </summary>
    /// <value>Null: every binary value is written as InlineBinary.</value>
    public Func<DicomJsonBulkDataContext, string?>? BulkDataUriBuilder { get; init; }

    /// <summary>The shortest binary value offered to <see cref="BulkDataUriBuilder"/>.</summary>
    /// <value>0: every non-empty binary value.</value>
    public long BulkDataThreshold { get; init; }

    /// <summary>
    /// A top-level filter in the manner of QIDO-RS includefield: only top-level attributes whose
    /// tag it accepts are written, each in full (a sequence with all of its items). The private
    /// creator of an accepted private attribute is always written too, so the attribute keeps its
    /// meaning.
    /// </summary>
    /// <value>Null: every attribute.</value>
    public Func<DicomTag, bool>? IncludeField { get; init; }

    /// <summary>
    /// What to do with encapsulated (compressed) pixel data when no bulk data URI is given for it.
    /// PS3.18 has no inline form for fragments.
    /// </summary>
    /// <value><see cref="DicomJsonEncapsulatedPixelData.Refuse"/>, as dcm2json does.</value>
    public DicomJsonEncapsulatedPixelData EncapsulatedPixelData { get; init; } = DicomJsonEncapsulatedPixelData.Refuse;

    /// <summary>Whether the <see cref="DicomJson"/> methods indent their output.</summary>
    /// <value>False: compact.</value>
    public bool Indented { get; init; }
}

/// <summary>What the JSON writer does with encapsulated pixel data that has no bulk data URI.</summary>
public enum DicomJsonEncapsulatedPixelData
{
    /// <summary>Throw a <see cref="DicomException"/> (dcm2json refuses such files the same way).</summary>
    Refuse,

    /// <summary>Leave the attribute out, as if it were not in the data set.</summary>
    Omit,
}

/// <summary>One step from a data set down into an item of one of its sequences.</summary>
/// <param name="Sequence">The sequence's tag.</param>
/// <param name="ItemIndex">The item's zero-based index.</param>
public readonly record struct DicomJsonPathStep(DicomTag Sequence, int ItemIndex);

/// <summary>The attribute a bulk data URI is asked for, and where it sits in the data set.</summary>
/// <param name="Attribute">A binary <see cref="DicomElement"/> or a <see cref="DicomFragmentSequence"/>.</param>
/// <param name="Sequences">The sequences and items enclosing it, outermost first; empty at the top level.</param>
public sealed record DicomJsonBulkDataContext(DicomAttribute Attribute, IReadOnlyList<DicomJsonPathStep> Sequences)
{
    /// <summary>The attribute's tag.</summary>
    public DicomTag Tag => Attribute.Tag;

    /// <summary>
    /// The path as text, e.g. <c>7FE00010</c> at the top level or <c>00540016/0/00181072</c> in an
    /// item: tags and item indexes separated by slashes, ready to append to a URI.
    /// </summary>
    public string Path
    {
        get
        {
            var builder = new System.Text.StringBuilder();
            foreach (var step in Sequences)
                builder.Append(step.Sequence.ToJsonKey()).Append('/').Append(step.ItemIndex).Append('/');
            return builder.Append(Tag.ToJsonKey()).ToString();
        }
    }
}
