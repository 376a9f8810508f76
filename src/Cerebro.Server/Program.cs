using Cerebro.Server.Api;
using Cerebro.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCerebro();
var app = builder.Build();
app.MapCerebroApi();
app.Run();

public partial class Program;
