from tools.bench.main import main

main()
