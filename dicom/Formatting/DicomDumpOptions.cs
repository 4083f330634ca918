namespace OrleansImaging.Dicom.Formatting;

/// <summary>How <see cref="DicomDump"/> prints a data set.</summary>
public sealed class DicomDumpOptions
{
    /// <summary>dcmdump's defaults: long values shortened, the File Meta Information included.</summary>
    public static DicomDumpOptions Default { get; } = new();

    /// <summary>
    /// The longest value text printed; longer values are cut and end in "...", as dcmdump does
    /// unless told to print everything (+L).
    /// </summary>
    /// <value>70 characters; null prints every value in full.</value>
    public int? MaxValueLength { get; init; } = 70;

    /// <summary>Whether a file's File Meta Information is printed before its data set.</summary>
    /// <value>True.</value>
    public bool IncludeFileMetaInformation { get; init; } = true;
}
