using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansImaging.Api.Apis;
using OrleansImaging.Api.Authentication;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Dicom;
using OrleansImaging.Silo;

namespace OrleansImaging.Api.Hosting;

/// <summary>Composition of the api host: options, Kestrel, error handling, security headers, endpoints.</summary>
public static class ImagingHostExtensions
{
    /// <summary>
    /// Configures options (from configuration, IMAGING_DATA and IMAGING_URLS), the co-hosted silo on the same data
    /// directory, authentication, Kestrel and problem details.
    /// </summary>
    public static WebApplicationBuilder AddImagingHost(this WebApplicationBuilder builder)
    {
        var options = ReadOptions(builder.Configuration);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException("Invalid configuration: " + string.Join(" ", problems));
        OrleansImaging.Silo.PrivateDirectory.Ensure(options.DataDirectory);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<SiloReadiness>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<SiloReadiness>());
        builder.UseOrleans(silo => silo.UseImagingEmbedded(new ImagingSiloOptions
        {
            DataDirectory = options.DataDirectory,
            SiloPort = options.SiloPort,
            GatewayPort = options.GatewayPort,
        }));
        AddAuthentication(builder.Services, AdminKey.CreateFile(options.DataDirectory));
        // The embedded default keeps objects in a folder of the data directory (fsynced before success).
        builder.Services.AddSingleton<Grains.Storage.IBlobStore>(_ => new Grains.Storage.FileSystemBlobStore(
            new Grains.Storage.FileSystemBlobStoreOptions { RootPath = Path.Combine(options.DataDirectory, "blobs") }));
        // Request logs would carry query strings (patient names in QIDO): keep the framework quiet.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Orleans and its resilience pipelines log every placement and option at Information: an operator needs
        // warnings from them, and our own categories at Information.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        // Codec work of retrieval: transcoding (WADO-RS transfer-syntax) and rendering, each bounded per process.
        Dicomweb.WadoTranscoderServiceCollectionExtensions.AddWadoTranscoding(builder.Services);
        Rendering.RenderingServiceCollectionExtensions.AddImagingRendering(builder.Services);
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
            // Set when the response starts, not now: the exception handler clears the headers of a failed request
            // before writing its ProblemDetails, and an error response needs them as much as any other (S2.7).
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // Patient data must not stay in browser or proxy caches (S6.6).
                if (!headers.ContainsKey("Cache-Control"))
                    headers.CacheControl = "no-store";
                if (http.Request.IsHttps)
                    headers.StrictTransportSecurity = "max-age=31536000"; // S2.7
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        // After the security headers, so a 401 carries them too.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCallerContext();
        return app;
    }

    /// <summary>Maps every endpoint of the api.</summary>
    public static WebApplication MapImagingEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", Health).AllowAnonymous();
        app.MapAdminApi();
        app.MapTenantApi();
        app.MapEdgeApi();
        app.MapDicomwebQueryApi();
        app.MapDicomwebRetrieveApi();
        app.MapDicomwebRenderedApi();
        app.MapDicomwebStoreApi();
        app.MapUploadApi();
        app.MapArchiveApi();
        var options = app.Services.GetRequiredService<ImagingHostOptions>();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"OrleansImaging listening on {options.Urls} (data: {options.DataDirectory})"));
        return app;
    }

    /// <summary>200 once the co-hosted silo is active, 503 before (and while it stops).</summary>
    public static Results<ContentHttpResult, ProblemHttpResult> Health(SiloReadiness readiness) =>
        readiness.IsReady
            ? TypedResults.Text("ready", "text/plain")
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Starting.");

    private static void AddAuthentication(IServiceCollection services, AdminKey adminKey)
    {
        services.AddSingleton(adminKey);
        services.AddAuthentication(AccessTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(AccessTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminKeyAuthenticationHandler.PolicyName, policy => policy
                .AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser())
            // Secure by default: an endpoint that forgets RequireAuthorization still needs a token (S7.2).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(AccessTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
    }

    internal static ImagingHostOptions ReadOptions(IConfiguration configuration)
    {
        var options = new ImagingHostOptions();
        configuration.GetSection(ImagingHostOptions.Section).Bind(options);
        if (configuration["IMAGING_DATA"] is { Length: > 0 } data)
            options.DataDirectory = data;
        if (configuration["IMAGING_URLS"] is { Length: > 0 } urls)
            options.Urls = urls;
        if (configuration["IMAGING_PUBLIC_URL"] is { Length: > 0 } publicUrl)
            options.PublicUrl = publicUrl;
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
                // The public certificate beside the data, so `./imaging admin` (curl --cacert) trusts exactly this one.
                Directory.CreateDirectory(Path.Combine(options.DataDirectory, "tls"));
                File.WriteAllText(Path.Combine(options.DataDirectory, "tls", SelfSignedCertificate.PemFileName), certificate.ExportCertificatePem());
                listen.UseHttps(certificate);
            }
        });
    }

    private static int StatusFor(Exception exception) => exception switch
    {
        DicomException => StatusCodes.Status400BadRequest,
        ImagingException { Code: ErrorCodes.NotFound } => StatusCodes.Status404NotFound,
        ImagingException { Code: ErrorCodes.Forbidden } => StatusCodes.Status403Forbidden,
        ImagingException { Code: ErrorCodes.Unauthenticated } => StatusCodes.Status401Unauthorized,
        ImagingException { Code: ErrorCodes.Invalid } => StatusCodes.Status400BadRequest,
        ImagingException { Code: ErrorCodes.Conflict } => StatusCodes.Status409Conflict,
        BadHttpRequestException bad => bad.StatusCode,
        OperationCanceledException => 499,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task WriteProblemAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = exception is null ? 500 : StatusFor(exception);
        // Only our own exception messages are shown: they describe the request, never the server.
        var detail = exception is DicomException or BadHttpRequestException or ImagingException ? exception.Message : null;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = status switch
            {
                >= 500 => "The server could not complete the request.",
                404 => "Not found.",
                403 => "Forbidden.",
                409 => "Conflict.",
                401 => "Authentication is required.",
                _ => "The request is not valid.",
            },
            Detail = detail,
        };
        // The problem details writer declines when the Accept header names only other types (multipart/related of
        // WADO-RS, image/jpeg of rendered): the error is then written as problem+json all the same, never turned into
        // a 500 by the handler failing.
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
