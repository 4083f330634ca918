namespace OrleansImaging.Dicom.Imaging;

/// <summary>Where a viewport takes its pixels from and how large the output is.</summary>
/// <param name="Left">The first source column of the region.</param>
/// <param name="Top">The first source row of the region.</param>
/// <param name="RegionWidth">Source columns in the region.</param>
/// <param name="RegionHeight">Source rows in the region.</param>
/// <param name="FlipHorizontal">Whether the region is mirrored left to right (a negative sw).</param>
/// <param name="FlipVertical">Whether the region is mirrored top to bottom (a negative sh).</param>
/// <param name="OutputWidth">Columns of the output.</param>
/// <param name="OutputHeight">Rows of the output.</param>
public sealed record ViewportPlan(int Left, int Top, int RegionWidth, int RegionHeight, bool FlipHorizontal, bool FlipVertical, int OutputWidth, int OutputHeight)
{
    /// <summary>Whether the region is the whole image, unflipped, at its own size: nothing to do.</summary>
    public bool IsIdentity(int imageWidth, int imageHeight) =>
        Left == 0 && Top == 0 && RegionWidth == imageWidth && RegionHeight == imageHeight && !FlipHorizontal && !FlipVertical
        && OutputWidth == imageWidth && OutputHeight == imageHeight;
}

/// <summary>The arithmetic of PS3.18 8.3.5.1.3's viewport: the region to take, then a scale that fits it in vw × vh keeping its aspect ratio.</summary>
public static class ViewportGeometry
{
    /// <summary>Plans <paramref name="viewport"/> (null: the whole image at its size) over an image of the given size.</summary>
    /// <exception cref="DicomRenderException">The region lies (partly) outside the image, or is empty.</exception>
    public static ViewportPlan Plan(int imageWidth, int imageHeight, Viewport? viewport, bool allowUpscale)
    {
        if (viewport is null)
            return new ViewportPlan(0, 0, imageWidth, imageHeight, false, false, imageWidth, imageHeight);
        var (left, width, flipX) = Axis(viewport.Region?.X ?? 0, viewport.Region?.Width, imageWidth, "columns");
        var (top, height, flipY) = Axis(viewport.Region?.Y ?? 0, viewport.Region?.Height, imageHeight, "rows");
        var scale = Math.Min((double)viewport.Width / width, (double)viewport.Height / height);
        if (!allowUpscale)
            scale = Math.Min(scale, 1);
        // Rounding may not push a side past the viewport; every side keeps at least one pixel.
        var outWidth = Math.Clamp((int)Math.Round(width * scale, MidpointRounding.AwayFromZero), 1, Math.Max(viewport.Width, 1));
        var outHeight = Math.Clamp((int)Math.Round(height * scale, MidpointRounding.AwayFromZero), 1, Math.Max(viewport.Height, 1));
        return new ViewportPlan(left, top, width, height, flipX, flipY, outWidth, outHeight);
    }

    /// <summary>Takes the planned region out of <paramref name="image"/>, flipped as planned (no scaling).</summary>
    public static DisplayImage Crop(DisplayImage image, ViewportPlan plan)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan is { Left: 0, Top: 0, FlipHorizontal: false, FlipVertical: false } && plan.RegionWidth == image.Width && plan.RegionHeight == image.Height)
            return image;
        var channels = image.Channels;
        var output = new byte[plan.RegionWidth * plan.RegionHeight * channels];
        for (var y = 0; y < plan.RegionHeight; y++)
        {
            var sourceRow = plan.Top + (plan.FlipVertical ? plan.RegionHeight - 1 - y : y);
            for (var x = 0; x < plan.RegionWidth; x++)
            {
                var sourceColumn = plan.Left + (plan.FlipHorizontal ? plan.RegionWidth - 1 - x : x);
                image.Pixels.AsSpan(((sourceRow * image.Width) + sourceColumn) * channels, channels)
                    .CopyTo(output.AsSpan(((y * plan.RegionWidth) + x) * channels, channels));
            }
        }
        return new DisplayImage(plan.RegionWidth, plan.RegionHeight, channels, output);
    }

    private static (int Start, int Length, bool Flip) Axis(int start, int? extent, int size, string what)
    {
        // A negative extent runs back from the corner: sx = 100, sw = -50 covers columns 50–99, mirrored.
        var length = extent ?? size - start;
        var (first, count, flip) = length < 0 ? (start + length, -length, true) : (start, length, false);
        if (start < 0 || start > size || count == 0 || first < 0 || (long)first + count > size)
        {
            throw new DicomRenderException(DicomRenderFailure.InvalidParameter,
                $"The viewport's source region ({start}, extent {(extent is null ? "to the edge" : extent.ToString())}) does not lie within the image's {size} {what}.")
            {
                Parameter = "viewport",
            };
        }
        return (first, count, flip);
    }
}
