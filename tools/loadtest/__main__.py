from tools.loadtest.main import main

main()
