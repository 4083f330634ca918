using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansImaging.Dicom.Codecs;
using OrleansImaging.Dicom.Imaging;

namespace OrleansImaging.Api.Rendering;

/// <summary>Registration of the rendered and thumbnail resources' services.</summary>
public static class RenderingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the codec facade (unless the host registered one), the renderer over it and the <see cref="RenderingService"/>
    /// that bounds concurrent renders, all singletons: they are stateless or shared by design.
    /// </summary>
    public static IServiceCollection AddImagingRendering(this IServiceCollection services)
    {
        services.TryAddSingleton<IDicomCodec>(_ => new DicomCodecs());
        services.TryAddSingleton<IDicomRenderer, DicomRenderer>();
        services.TryAddSingleton<RenderingService>();
        return services;
    }
}
