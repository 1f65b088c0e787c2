#include "cli/commands.h"

int main(int argc, char** argv) { return beacon::cli::Main(argc, argv); }
