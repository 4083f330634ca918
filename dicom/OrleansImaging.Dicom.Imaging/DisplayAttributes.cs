namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// The header attributes that turn stored greyscale values into display values: the Modality LUT's Rescale Slope and
/// Intercept (PS3.3 C.11.1) and the object's first VOI window (C.11.2), read from the object itself.
/// </summary>
/// <param name="RescaleSlope">Rescale Slope (0028,1053); 1 when absent.</param>
/// <param name="RescaleIntercept">Rescale Intercept (0028,1052); 0 when absent.</param>
/// <param name="Window">The first Window Center/Width pair (0028,1050/1051) with the VOI LUT Function (0028,1056); null when absent or unusable.</param>
/// <param name="NumberOfFrames">Number of Frames (0028,0008); 1 when absent.</param>
/// <param name="Palette">The palette of a PALETTE COLOR image; null when absent or unusable.</param>
public sealed record DisplayAttributes(double RescaleSlope, double RescaleIntercept, VoiWindow? Window, int NumberOfFrames, PaletteLookup? Palette = null)
{
    /// <summary>Identity modality LUT, no window, one frame.</summary>
    public static DisplayAttributes None { get; } = new(1, 0, null, 1);

    /// <summary>
    /// Reads the attributes from a data set for frame <paramref name="frame"/> (1-based). Enhanced multi-frame objects
    /// keep rescale and window in functional groups (PS3.3 C.7.6.16): the frame's Per-Frame Functional Groups item is
    /// tried first, then the Shared Functional Groups, then the top level. Values that cannot be used (a slope of 0, an
    /// unparsable or non-finite number, a window too narrow for its function) are treated as absent rather than
    /// failing the render: the defaults still give a faithful picture.
    /// </summary>
    public static DisplayAttributes FromDataset(DicomDataset dataset, int frame = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var groups = new List<DicomDataset>(2);
        if (frame >= 1 && dataset.TryGet<DicomDataset>(DicomTag.PerFrameFunctionalGroupsSequence, frame - 1, out var perFrame))
            groups.Add(perFrame);
        if (dataset.TryGet<DicomDataset>(DicomTag.SharedFunctionalGroupsSequence, 0, out var shared))
            groups.Add(shared);
        var macros = groups.SelectMany(group => Items(group, DicomTag.PixelValueTransformationSequence))
            .Append(dataset);
        var (slope, intercept) = macros.Select(ReadRescale).FirstOrDefault(r => r is not null) ?? (1, 0);
        var window = groups.SelectMany(group => Items(group, DicomTag.FrameVOILUTSequence))
            .Append(dataset)
            .Select(ReadWindow)
            .FirstOrDefault(w => w is not null);
        var frames = dataset.TryGet<long>(DicomTag.NumberOfFrames, out var n) && n is >= 1 and <= int.MaxValue ? (int)n : 1;
        return new DisplayAttributes(slope, intercept, window, frames, PaletteLookup.FromDataset(dataset));
    }

    private static IEnumerable<DicomDataset> Items(DicomDataset group, DicomTag sequence) =>
        group.TryGet<DicomDataset>(sequence, 0, out var item) ? [item] : [];

    private static (double Slope, double Intercept)? ReadRescale(DicomDataset source)
    {
        if (!source.Contains(DicomTag.RescaleSlope) && !source.Contains(DicomTag.RescaleIntercept))
            return null;
        var slope = source.TryGet<double>(DicomTag.RescaleSlope, out var s) && double.IsFinite(s) && s != 0 ? s : 1;
        var intercept = source.TryGet<double>(DicomTag.RescaleIntercept, out var i) && double.IsFinite(i) ? i : 0;
        return (slope, intercept);
    }

    private static VoiWindow? ReadWindow(DicomDataset source)
    {
        if (!source.TryGet<double>(DicomTag.WindowCenter, out var center) || !source.TryGet<double>(DicomTag.WindowWidth, out var width))
            return null;
        // An unknown function name falls back to LINEAR, the default PS3.3 gives when the attribute is absent.
        VoiWindow.TryParseFunction(source.GetStringOrNull(DicomTag.VOILUTFunction), out var function);
        var candidate = new VoiWindow(center, width, function);
        return candidate.IsValid ? candidate : null;
    }
}
