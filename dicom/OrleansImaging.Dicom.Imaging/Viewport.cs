namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// The <c>viewport</c> of a rendered resource (PS3.18 8.3.5.1.3): the output is scaled to fit <see cref="Width"/> ×
/// <see cref="Height"/> keeping the aspect ratio, optionally from a region of the source image.
/// </summary>
/// <param name="Width">vw: the most output columns, at least 1.</param>
/// <param name="Height">vh: the most output rows, at least 1.</param>
/// <param name="Region">sx, sy, sw, sh: the part of the image to render, or null for all of it.</param>
public sealed record Viewport(int Width, int Height, ViewportRegion? Region = null);

/// <summary>
/// A region of the source image: its top-left corner and extent in source pixels. A negative extent flips the image
/// along that axis (the region then runs from the corner leftwards or upwards); an absent extent runs to the image's edge.
/// </summary>
/// <param name="X">sx: the first column, from 0.</param>
/// <param name="Y">sy: the first row, from 0.</param>
/// <param name="Width">sw: columns, negative to flip horizontally, null for the rest of the row.</param>
/// <param name="Height">sh: rows, negative to flip vertically, null for the rest of the column.</param>
public sealed record ViewportRegion(int X, int Y, int? Width, int? Height);
