using Cerebro.Demo;
using Cerebro.Server.Api;
using Cerebro.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCerebroDemo();
var app = builder.Build();
app.MapCerebroApi();
app.Run();
