using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Hosting;

/// <summary>Composition of the api host: options, Kestrel, error handling, security headers, endpoints.</summary>
public static class ImagingHostExtensions
{
    /// <summary>Configures options (from configuration, IMAGING_DATA and IMAGING_URLS), Kestrel and problem details.</summary>
    public static WebApplicationBuilder AddImagingHost(this WebApplicationBuilder builder)
    {
        var options = ReadOptions(builder.Configuration);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException("Invalid configuration: " + string.Join(" ", problems));
        Directory.CreateDirectory(options.DataDirectory);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        // Request logs would carry query strings (patient names in QIDO): keep the framework quiet.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false; // S1.2: no server fingerprint
            kestrel.Limits.MaxRequestBodySize = null; // STOW bodies are streamed; limits are per endpoint
            foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                Listen(kestrel, new Uri(url), options);
        });
        return builder;
    }

    /// <summary>Errors as ProblemDetails without stack traces, exception types or paths; security headers.</summary>
    public static WebApplication UseImagingPipeline(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StatusFor, ExceptionHandler = WriteProblemAsync });
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Request.IsHttps)
                headers.StrictTransportSecurity = "max-age=31536000"; // S2.7
            return next(context);
        });
        return app;
    }

    /// <summary>Maps every endpoint of the api.</summary>
    public static WebApplication MapImagingEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", static () => TypedResults.Text("ready", "text/plain"));
        var options = app.Services.GetRequiredService<ImagingHostOptions>();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"OrleansImaging listening on {options.Urls} (data: {options.DataDirectory})"));
        return app;
    }

    internal static ImagingHostOptions ReadOptions(IConfiguration configuration)
    {
        var options = new ImagingHostOptions();
        configuration.GetSection(ImagingHostOptions.Section).Bind(options);
        if (configuration["IMAGING_DATA"] is { Length: > 0 } data)
            options.DataDirectory = data;
        if (configuration["IMAGING_URLS"] is { Length: > 0 } urls)
            options.Urls = urls;
        options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        return options;
    }

    private static void Listen(KestrelServerOptions kestrel, Uri uri, ImagingHostOptions options)
    {
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        kestrel.Listen(address, uri.Port, listen =>
        {
            if (uri.Scheme == "https")
            {
                var certificate = options.CertificatePath.Length > 0
                    ? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword)
                    : SelfSignedCertificate.LoadOrCreate(options.DataDirectory, TimeProvider.System);
                listen.UseHttps(certificate);
            }
        });
    }

    private static int StatusFor(Exception exception) => exception switch
    {
        DicomException => StatusCodes.Status400BadRequest,
        BadHttpRequestException bad => bad.StatusCode,
        OperationCanceledException => 499,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task WriteProblemAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = exception is null ? 500 : StatusFor(exception);
        // Only our own exception messages are shown: they describe the request, never the server.
        var detail = exception is DicomException or BadHttpRequestException ? exception.Message : null;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = status >= 500 ? "The server could not complete the request." : "The request is not valid.", Detail = detail },
        });
    }
}
