using OrleansImaging.Api.Hosting;

// The content root is the binaries, not the working directory: no file watcher on the data directory.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddImagingHost();

var app = builder.Build();
app.UseImagingPipeline();
app.MapImagingEndpoints();
app.Run();

/// <summary>The api's entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
